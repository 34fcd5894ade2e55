package gateway

import (
	"context"
	"strconv"
	"time"

	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/webhook"
)

// Limits on a message's members. The gateway judges them; package api,
// the OpenAPI document it serves and docs/api.md state these same
// numbers and read them from here.
const (
	// MaxClientRef is the longest client_ref, in bytes.
	MaxClientRef = 64
	// MaxCallbackURL is the longest callback_url, in bytes.
	MaxCallbackURL = webhook.MaxURLLength
	// MaxNumberDigits is the most digits in a number (E.164), to or from.
	MaxNumberDigits = maxE164Digits
	// MaxAlphaSender is the longest alphanumeric sender, in GSM 7-bit
	// characters.
	MaxAlphaSender = maxAlphaSender
	// DefaultValidity is how long a message that gives no valid_until is
	// tried from its send time (now, or its send_at), unless
	// Config.DefaultValidity says otherwise.
	DefaultValidity = 48 * time.Hour
	// DefaultMaxValidity bounds valid_until, from the send time (now, or
	// send_at), unless Config.MaxValidity says otherwise: a later
	// valid_until is cut to it.
	DefaultMaxValidity = 72 * time.Hour
	// DefaultMaxScheduleAhead bounds send_at, from now, unless
	// Config.MaxScheduleAhead says otherwise: a later send_at is refused.
	// A restart looks this far back, plus the longest validity, for
	// messages to send again (see Service.oldestUnsent), so it is a month
	// rather than a year.
	DefaultMaxScheduleAhead = 30 * 24 * time.Hour
)

// SendRequest is a message from the HTTP API, before validation.
type SendRequest struct {
	To, From, Text string
	Binary         []byte
	Encoding       string // auto (default), gsm7 or ucs2
	Flash          bool
	SendAt         time.Time
	ValidUntil     time.Time
	CallbackURL    string
	ClientRef      string
	DeliveryReport bool
}

// SendResult is an accepted message.
type SendResult struct {
	ID       sms.ID
	Status   sms.Status
	Segments int
	Encoding string // gsm7, ucs2 or binary
	Price    int64  // micros charged (reserved) for every segment; 0 without billing
}

// errLongClientRef refuses a client_ref over MaxClientRef bytes.
var errLongClientRef = refuse(0x01, ProblemInvalidRequest, 400, "client_ref",
	"client_ref has at most "+strconv.Itoa(MaxClientRef)+" bytes")

// DefaultSender is the sender of HTTP messages that name none.
const DefaultSender = "Gallant"

// build validates req into a message of accountID.
func (s *Service) build(accountID int64, req *SendRequest) (*sms.Message, string, *Refusal) {
	dst, r := Destination(0, 0, req.To)
	if r != nil {
		return nil, "", r
	}
	from := req.From
	if from == "" {
		from = DefaultSender
	}
	src, r := AutoSource(from)
	if r != nil {
		return nil, "", r
	}
	var c Content
	enc := "binary"
	switch {
	case len(req.Binary) > 0 && req.Text != "":
		return nil, "", refuse(0x01, ProblemInvalidRequest, 400, "text", "give text or binary, not both")
	case len(req.Binary) > 0:
		c, r = BinaryContent(req.Binary, s.cfg.MaxSegments)
	default:
		c, r = TextContent(req.Text, req.Encoding, req.Flash, s.cfg.MaxSegments)
		enc = "gsm7"
		if pdutext.DataCoding(c.DataCoding).Alphabet() == pdutext.AlphabetUCS2 {
			enc = "ucs2"
		}
	}
	if r != nil {
		return nil, "", r
	}
	if len(req.ClientRef) > MaxClientRef {
		return nil, "", errLongClientRef
	}
	if req.CallbackURL != "" {
		if r := s.checkCallbackURL(req.CallbackURL); r != nil {
			return nil, "", r
		}
	}
	m := &sms.Message{
		AccountID: accountID, Ingress: sms.IngressHTTP, ClientRef: req.ClientRef,
		Source: src, Dest: dst, DataCoding: c.DataCoding, ESMClass: c.ESMClass,
		Body: c.Body, Segments: c.Segments, SendAt: req.SendAt.UTC(), ValidUntil: req.ValidUntil.UTC(),
		CallbackURL: req.CallbackURL,
	}
	if req.SendAt.IsZero() {
		m.SendAt = time.Time{}
	}
	if req.ValidUntil.IsZero() {
		m.ValidUntil = time.Time{}
	}
	if req.DeliveryReport {
		m.RegisteredDelivery = 1
	}
	return m, enc, nil
}

// Send validates and accepts one HTTP message of accountID, whose rate
// limit is tps (0: none). In durable mode it returns after the commit.
// A refusal is a *Refusal.
func (s *Service) Send(ctx context.Context, accountID int64, tps int, req SendRequest) (SendResult, error) {
	m, enc, r := s.build(accountID, &req)
	if r != nil {
		s.m.refused(r.Problem)
		return SendResult{}, r
	}
	if err := s.AcceptWait(ctx, m, tps); err != nil {
		return SendResult{}, err
	}
	return SendResult{ID: m.ID, Status: m.Status, Segments: m.Segments, Encoding: enc, Price: m.Price}, nil
}

// batchWait collects the outcomes of a batch's accepts.
type batchWait struct {
	left int
	errs []error
	seen []bool
	done chan struct{}
	mu   chan struct{} // a one-slot lock, released by the last callback
}

type batchTag struct {
	b *batchWait
	i int
}

// Accepted notes item t.i's outcome; the last one ends the wait.
func (t *batchTag) Accepted(_ *sms.Message, err error) {
	t.b.mu <- struct{}{}
	t.b.errs[t.i] = err
	t.b.seen[t.i] = true
	t.b.left--
	last := t.b.left == 0
	<-t.b.mu
	if last {
		close(t.b.done)
	}
}

// SendBatch accepts many messages of accountID at once: each is validated
// and accepted on its own (a bad one fails only itself), and all share
// the writer's batches, so a batch costs about one commit. It returns one
// result or error per request, in order.
func (s *Service) SendBatch(ctx context.Context, accountID int64, tps int, reqs []SendRequest) ([]SendResult, []error) {
	results := make([]SendResult, len(reqs))
	if len(reqs) > 0 && s.Saturated() {
		// Every item would be refused: say so before building any
		// (building and refusing thousands of messages is what kept a
		// saturated gateway saturated).
		errs := make([]error, len(reqs))
		for i := range errs {
			errs[i] = errBackpressure
		}
		s.m.refusedVec.WithLabelValues(ProblemBackpressure).Add(float64(len(reqs)))
		return results, errs
	}
	b := &batchWait{left: len(reqs), errs: make([]error, len(reqs)), seen: make([]bool, len(reqs)), done: make(chan struct{}), mu: make(chan struct{}, 1)}
	msgs := make([]*sms.Message, len(reqs))
	tags := make([]batchTag, len(reqs)) // one allocation for the batch's tags
	for i := range reqs {
		tags[i] = batchTag{b, i}
		m, enc, r := s.build(accountID, &reqs[i])
		if r != nil {
			s.m.refused(r.Problem)
			tags[i].Accepted(nil, r)
			continue
		}
		msgs[i] = m
		results[i] = SendResult{Segments: m.Segments, Encoding: enc}
		s.Accept(m, tps, &tags[i])
	}
	if len(reqs) > 0 {
		select {
		case <-b.done:
		case <-ctx.Done():
			b.mu <- struct{}{}
			for i := range b.errs {
				if !b.seen[i] {
					b.errs[i] = ctx.Err()
				}
			}
			errs := append([]error(nil), b.errs...)
			<-b.mu
			return results, errs
		}
	}
	for i, m := range msgs {
		if m != nil && b.errs[i] == nil {
			// The writer's callback ran before done closed: m is settled.
			results[i].ID, results[i].Status, results[i].Price = m.ID, m.Status, m.Price
		}
	}
	return results, b.errs
}

// Message returns a message of accountID with its status history; a
// message of another account is store.ErrNotFound.
func (s *Service) Message(ctx context.Context, accountID int64, id sms.ID) (*sms.Message, []sms.Event, error) {
	// Read our own writes: a status already reported (by webhook or
	// receipt) may still be in the writer's batch.
	_ = s.w.Flush(ctx)
	return s.st.GetMessage(ctx, accountID, id)
}

// Messages lists messages of accountID, newest first.
func (s *Service) Messages(ctx context.Context, accountID int64, f store.Filter) ([]store.MessageSummary, sms.ID, error) {
	return s.st.ListMessages(ctx, accountID, f)
}
