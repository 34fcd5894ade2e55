package campaign_test

import (
	"errors"
	"fmt"

	"github.com/gallant-sms/gallant/campaign"
	"github.com/gallant-sms/gallant/store"
)

// Parse a template once, then render it for each recipient; a recipient
// lacking a value without a default is skipped with the reason.
func ExampleParseTemplate() {
	fields := []store.ContactField{{Name: "city", Type: "text"}}
	t, err := campaign.ParseTemplate("Hi {{first_name|there}}, see you in {{field.city}}! {{optout}}", fields)
	if err != nil {
		panic(err)
	}
	for _, c := range []store.Contact{
		{FirstName: "Ada", Fields: `{"city":"London"}`},
		{Fields: `{"city":"Oslo"}`},
		{FirstName: "Bob", Fields: `{}`},
	} {
		text, err := t.Render(campaign.Recipient{Contact: c, OptOutText: "STOP to 60123"})
		if skip := (*campaign.SkipError)(nil); errors.As(err, &skip) {
			fmt.Println("skipped:", skip.Reason)
			continue
		}
		fmt.Println(text)
	}
	_, err = campaign.ParseTemplate("Hi {{nickname}}", fields)
	fmt.Println(err)
	// Output:
	// Hi Ada, see you in London! STOP to 60123
	// Hi there, see you in Oslo! STOP to 60123
	// skipped: custom field city is missing and {{field.city}} has no default
	// campaign: template: {{nickname}} at character 3: unknown placeholder; known are first_name, last_name, phone, email, optout and field.NAME for a declared custom field
}
