package gallant_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	gallant "github.com/gallant-sms/gallant/sdk/go"
)

// Send a message safely retryable with an idempotency key, then wait for
// its final status.
func ExampleClient_SendMessage() {
	ctx := context.Background()
	c := gallant.NewClient("http://127.0.0.1:8080", os.Getenv("GALLANT_API_KEY"))
	res, err := c.SendMessage(ctx, &gallant.SendRequest{
		To:   "+447700900123",
		From: "Gallant",
		Text: "Your code is 123456",
	}, gallant.IdempotencyKey("order-17-sms"))
	if err != nil {
		log.Fatal(err)
	}
	for {
		m, err := c.GetMessage(ctx, res.ID)
		if err != nil {
			log.Fatal(err)
		}
		if m.Status.Final() {
			fmt.Println(m.ID, m.Status)
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// Tell a bad request from others by its problem type and field.
func ExampleError() {
	c := gallant.NewClient("http://127.0.0.1:8080", os.Getenv("GALLANT_API_KEY"))
	_, err := c.SendMessage(context.Background(), &gallant.SendRequest{To: "12", Text: "hi"})
	var ge *gallant.Error
	if errors.As(err, &ge) && ge.Slug() == gallant.ProblemInvalidNumber {
		fmt.Printf("fix %s: %s\n", ge.Field, ge.Detail)
	}
}

// One text to many numbers; a bad number rejects only its item.
func ExampleClient_SendBatch() {
	c := gallant.NewClient("http://127.0.0.1:8080", os.Getenv("GALLANT_API_KEY"))
	res, err := c.SendBatch(context.Background(), &gallant.BatchRequest{
		To:   []string{"+447700900001", "+447700900002", "12"},
		From: "Shop",
		Text: "Sale: 20% off today",
	})
	if err != nil {
		log.Fatal(err)
	}
	for i, it := range res.Items {
		if it.Error != nil {
			fmt.Println(i, "rejected:", it.Error.Slug())
		}
	}
}

// Range over every delivered message of the last day, page after page.
func ExampleClient_Messages() {
	c := gallant.NewClient("http://127.0.0.1:8080", os.Getenv("GALLANT_API_KEY"))
	p := gallant.ListMessagesParams{Status: gallant.StatusDelivered, From: time.Now().Add(-24 * time.Hour)}
	for m, err := range c.Messages(context.Background(), p) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(m.ID, m.To)
	}
}

// Put contacts in a list and send it a campaign once its estimate fits.
func ExampleClient_LaunchCampaign() {
	ctx := context.Background()
	c := gallant.NewClient("http://127.0.0.1:8080", os.Getenv("GALLANT_API_KEY"))
	list, err := c.CreateList(ctx, "Newsletter")
	if err != nil {
		log.Fatal(err)
	}
	ada, err := c.CreateContact(ctx, &gallant.ContactInput{Phone: "+447700900123", FirstName: "Ada"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.AddListMembers(ctx, list.ID, &gallant.ListMembers{ContactIDs: []int64{ada.ID}}); err != nil {
		log.Fatal(err)
	}
	cp, err := c.CreateCampaign(ctx, &gallant.CampaignInput{
		Name: "Spring sale", From: "Shop", Text: "Hi {{first_name|there}}, 20% off. {{optout}}",
		Audience: &gallant.Audience{ListIDs: []int64{list.ID}},
	})
	if err != nil {
		log.Fatal(err)
	}
	est, err := c.EstimateCampaign(ctx, cp.ID)
	if err != nil || est.Shortfall > 0 {
		log.Fatal("cannot afford it: ", err)
	}
	if _, err := c.LaunchCampaign(ctx, cp.ID); err != nil {
		log.Fatal(err)
	}
	st, err := c.CampaignStats(ctx, cp.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(st.Totals.Targeted, st.Totals.Delivered)
}

// Receive status webhooks: verify the signature before trusting the body.
func ExampleVerifyWebhookRequest() {
	secret := os.Getenv("GALLANT_WEBHOOK_SECRET")
	http.HandleFunc("/hooks/gallant", func(w http.ResponseWriter, r *http.Request) {
		body, err := gallant.VerifyWebhookRequest(r, secret, 5*time.Minute)
		if err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var ev gallant.StatusEvent
		if err := json.Unmarshal(body, &ev); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		fmt.Println(ev.ID, ev.Status, ev.EventID) // drop duplicates by EventID
		w.WriteHeader(http.StatusNoContent)
	})
}

// VerifyWebhook checks the X-Gallant-Signature header against the raw body.
// This one was made by the gateway's signer (see sdk/testdata).
func ExampleVerifyWebhook() {
	body := []byte(`{"id":"8437613895811074","status":"delivered","to":"447700900123","from":"Gallant",` +
		`"client_ref":"order-17","segments":1,"segment":0,"error_code":"000","carrier":"acme",` +
		`"at":"2026-05-01T09:30:02.4Z","event_id":"9f2c0d5e8a1b4c7d9e0f1a2b3c4d5e6f"}`)
	header := "t=1780000000,v1=" + exampleV1
	signedAt := time.Unix(1780000000, 0)

	fmt.Println(gallant.VerifyWebhook("whsec_fixture_0123456789abcdef", header, body, signedAt.Add(time.Minute), 0))
	err := gallant.VerifyWebhook("whsec_fixture_0123456789abcdef", header, body, signedAt.Add(time.Hour), 0)
	fmt.Println(errors.Is(err, gallant.ErrSignatureExpired))
	err = gallant.VerifyWebhook("whsec_wrong", header, body, signedAt, 0)
	fmt.Println(errors.Is(err, gallant.ErrSignatureMismatch))
	// Output:
	// <nil>
	// true
	// true
}

// exampleV1 is the gateway's signature of ExampleVerifyWebhook's body: the
// first vector of sdk/testdata/webhook-fixtures.json.
const exampleV1 = "03ee5637010193479943457333c5fa70410d28c5127ad5a23fbb4ddb5617ffff"
