module github.com/gallant-sms/gallant/sdk/go

go 1.24
