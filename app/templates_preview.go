package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/gallant-sms/gallant/billing"
	"github.com/gallant-sms/gallant/campaign"
	"github.com/gallant-sms/gallant/gateway"
	"github.com/gallant-sms/gallant/store"
)

// maxUCS2Listed bounds the characters a preview lists as forcing UCS-2.
const maxUCS2Listed = 200

// Preview renders a saved template (in.ID) or an unsaved body for a
// contact of the caller's account or a sample, as a campaign would: with
// the account's opt-out text and, when links.domain is set, sample short
// links. It reports the text's encoding, segments and price to the
// recipient's number, and the characters forcing UCS-2. A recipient the
// campaign would skip is reported (Skipped, SkipReason), not refused; a
// body that does not parse is refused naming the placeholder.
func (s *Templates) Preview(ctx context.Context, p Principal, in PreviewInput) (Preview, error) {
	body := in.Body
	if in.ID != 0 {
		t, err := s.st.TemplateByID(ctx, p.AccountID, in.ID)
		if errors.Is(err, store.ErrNotFound) {
			return Preview{}, NotFound("no such template")
		}
		if err != nil {
			return Preview{}, fmt.Errorf("preview template: %w", err)
		}
		body = t.Body
	} else if body == "" {
		return Preview{}, Invalid("body", "give the body to preview")
	}
	parsed, err := s.parse(ctx, p.AccountID, body)
	if err != nil {
		return Preview{}, err
	}
	c, err := s.previewContact(ctx, p, in)
	if err != nil {
		return Preview{}, err
	}
	settings, err := s.Settings(ctx, p)
	if err != nil {
		return Preview{}, err
	}
	out := Preview{Placeholders: parsed.Placeholders(), Links: []PreviewLink{}, UCS2Characters: []UCS2Character{}}
	if out.Placeholders == nil {
		out.Placeholders = []string{}
	}
	r := campaign.Recipient{Contact: c, OptOutText: settings.OptOutText}
	if s.links != nil {
		r.Link = func(url string) (string, error) {
			short, err := s.links.Sample(url)
			if err != nil {
				return url, nil // not shortened, as a campaign leaves it
			}
			out.Links = append(out.Links, PreviewLink{URL: url, Short: short, Sample: true})
			return short, nil
		}
	}
	text, err := parsed.Render(r)
	var skip *campaign.SkipError
	if errors.As(err, &skip) {
		out.Skipped, out.SkipReason, out.Links = true, skip.Reason, []PreviewLink{}
		out.Encoding = gateway.EncodingGSM7
		return out, nil
	}
	if err != nil {
		return Preview{}, fmt.Errorf("preview template: %w", err)
	}
	out.Text = text
	s.describe(&out, p, c.Phone)
	return out, nil
}

// describe fills in the encoding, segments, UCS-2 characters and price
// of out.Text to phone.
func (s *Templates) describe(out *Preview, p Principal, phone string) {
	out.Characters = utf8.RuneCountInString(out.Text)
	out.Encoding = gateway.EncodingGSM7
	if out.Text == "" {
		out.PriceNote = "nothing to send"
		return
	}
	content, refusal := gateway.TextContent(out.Text, gateway.EncodingAuto, false, billingMaxSegments)
	if refusal != nil {
		out.TooLong = true
	} else {
		out.Segments = content.Segments
		out.TooLong = content.Segments > gateway.DefaultMaxSegments
		if content.DataCoding == dataCodingUCS2 {
			out.Encoding = gateway.EncodingUCS2
		}
	}
	if out.Encoding == gateway.EncodingUCS2 || out.TooLong {
		out.UCS2Characters = ucs2Characters(out.Text)
		if len(out.UCS2Characters) > 0 {
			out.Encoding = gateway.EncodingUCS2
		}
	}
	switch {
	case s.bill == nil:
		out.PriceNote = "billing is off on this gateway"
	case phone == "":
		out.PriceNote = "no number to price: give a contact or a sample phone"
	case out.Segments == 0:
		out.PriceNote = "the text is too long to send"
	default:
		d, r := gateway.Destination(0, 0, phone)
		if r != nil {
			out.PriceNote = "the number is not an E.164 number"
			return
		}
		q, err := s.bill.Pricer.Price(p.AccountID, d.Addr, out.Segments, s.now())
		if err != nil {
			if errors.Is(err, billing.ErrNoPlan) || errors.Is(err, billing.ErrNoPrice) {
				out.PriceNote = "the account's price plan has no price for this destination"
			} else {
				out.PriceNote = "the price is not available"
			}
			return
		}
		out.Price = &PreviewPrice{To: "+" + d.Addr, Currency: q.Currency, PerSegment: int64(q.PerSegment), Total: int64(q.Total)}
	}
}

// billingMaxSegments is the most segments a text is counted to (one
// concatenated message's limit, a single octet).
const billingMaxSegments = 255

// dataCodingUCS2 is the SMPP data_coding of UCS-2 (SMPP 3.4 §5.2.19).
const dataCodingUCS2 = 0x08

// ucs2Characters lists the characters of text outside the GSM 7-bit
// default and extension tables, with their character indexes, at most
// maxUCS2Listed of them.
func ucs2Characters(text string) []UCS2Character {
	out := []UCS2Character{}
	fits := map[rune]bool{}
	i := 0
	for _, r := range text {
		ok, known := fits[r]
		if !known {
			_, refusal := gateway.TextContent(string(r), gateway.EncodingGSM7, false, 1)
			ok = refusal == nil
			fits[r] = ok
		}
		if !ok {
			out = append(out, UCS2Character{Char: string(r), Index: i})
			if len(out) == maxUCS2Listed {
				break
			}
		}
		i++
	}
	return out
}

// previewContact is the recipient of a preview: the account's contact,
// a sample, or nobody.
func (s *Templates) previewContact(ctx context.Context, p Principal, in PreviewInput) (store.Contact, error) {
	switch {
	case in.ContactID != 0 && in.Sample != nil:
		return store.Contact{}, Invalid("contact_id", "give contact_id or sample, not both")
	case in.ContactID < 0:
		return store.Contact{}, Invalid("contact_id", "a contact id is a positive integer")
	case in.ContactID > 0:
		c, err := s.st.TemplateContact(ctx, p.AccountID, in.ContactID)
		if errors.Is(err, store.ErrNotFound) {
			return store.Contact{}, NotFound("no such contact")
		}
		if err != nil {
			return store.Contact{}, fmt.Errorf("preview contact: %w", err)
		}
		return c, nil
	case in.Sample != nil:
		return sampleContact(in.Sample)
	}
	return store.Contact{AccountID: p.AccountID, Fields: "{}"}, nil
}

// sampleContact checks a preview's sample and makes it a contact.
func sampleContact(sm *PreviewSample) (store.Contact, error) {
	c := store.Contact{FirstName: sm.FirstName, LastName: sm.LastName, Email: sm.Email, Fields: "{}"}
	for field, v := range map[string]string{"first_name": sm.FirstName, "last_name": sm.LastName, "email": sm.Email} {
		if len(v) > maxSampleValue || !utf8.ValidString(v) {
			return store.Contact{}, Invalid("sample."+field, fmt.Sprintf("at most %d bytes of text", maxSampleValue))
		}
	}
	if sm.Phone != "" {
		d, r := gateway.Destination(0, 0, sm.Phone)
		if r != nil {
			return store.Contact{}, refuse(KindInvalidNumber, "sample.phone", r.Detail)
		}
		c.Phone = d.Addr
	}
	if len(sm.Fields) > maxSampleFields {
		return store.Contact{}, Invalid("sample.fields", fmt.Sprintf("at most %d fields", maxSampleFields))
	}
	if len(sm.Fields) > 0 {
		for name, v := range sm.Fields {
			v = bytes.TrimSpace(v)
			if len(v) == 0 || len(v) > maxSampleValue || v[0] == '{' || v[0] == '[' {
				return store.Contact{}, Invalid("sample.fields."+name, fmt.Sprintf("a string, number or boolean of at most %d bytes", maxSampleValue))
			}
		}
		b, err := json.Marshal(sm.Fields)
		if err != nil {
			return store.Contact{}, Invalid("sample.fields", "the fields are not valid JSON values")
		}
		c.Fields = string(b)
	}
	return c, nil
}
