module github.com/gallant-sms/gallant

go 1.26
