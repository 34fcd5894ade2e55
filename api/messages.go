package api

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/valyala/fasthttp"
)

// postMessage serves POST /v1/messages.
func (s *Server) postMessage(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	req, perr := decodeSend(ctx.PostBody())
	if perr == nil {
		perr = validateSend(&req)
	}
	if perr != nil {
		writeProblem(ctx, perr)
		return
	}
	res, err := s.deps.Messages.Send(sctx, p, req)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	var loc [40]byte
	ctx.Response.Header.SetBytesV(fasthttp.HeaderLocation, res.ID.AppendTo(append(loc[:0], "/v1/messages/"...)))
	finish(ctx, fasthttp.StatusAccepted, contentJSON, appendSendResult(bodyBuffer(ctx), &res, true))
}

// getMessage serves GET /v1/messages/{id}.
func (s *Server) getMessage(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	raw, _ := ctx.UserValue("id").(string)
	id, err := sms.ParseID(raw)
	if err != nil {
		// No message has a malformed id: the same answer as a missing one.
		writeProblem(ctx, NotFound("no such message"))
		return
	}
	v, err := s.deps.Messages.Get(sctx, p, id)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	m := toMessageJSON(&v)
	if m.History == nil {
		m.History = []eventJSON{}
	}
	s.writeJSON(ctx, fasthttp.StatusOK, m)
}

// writeJSON answers with v encoded by encoding/json (the read paths, whose
// answers are nested and less hot than sending).
func (s *Server) writeJSON(ctx *fasthttp.RequestCtx, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.Response.SetBody(b)
	ctx.Response.SetStatusCode(status)
	ctx.Response.Header.SetContentType(contentJSON)
}

// messageJSON is the JSON form of a MessageView. Ids are strings: they
// exceed the integers JavaScript holds exactly.
type messageJSON struct {
	ID             sms.ID      `json:"id,string"`
	To             string      `json:"to"`
	From           string      `json:"from,omitempty"`
	Text           string      `json:"text,omitempty"`
	Binary         []byte      `json:"binary,omitempty"`
	Encoding       string      `json:"encoding,omitempty"`
	Segments       int         `json:"segments"`
	Status         sms.Status  `json:"status"`
	Flash          bool        `json:"flash"`
	DeliveryReport bool        `json:"delivery_report"`
	SendAt         time.Time   `json:"send_at,omitzero"`
	ValidUntil     time.Time   `json:"valid_until,omitzero"`
	CallbackURL    string      `json:"callback_url,omitempty"`
	ClientRef      string      `json:"client_ref,omitempty"`
	CreatedAt      time.Time   `json:"created_at"`
	UpdatedAt      time.Time   `json:"updated_at,omitzero"`
	Price          *int64      `json:"price,omitempty"`
	History        []eventJSON `json:"history,omitempty"`
}

// eventJSON is the JSON form of an sms.Event. The carrier's name and its
// message id stay internal: which carrier carried a message is ours to
// know (resellers rely on it); its error code is the customer's.
type eventJSON struct {
	Status    sms.Status `json:"status"`
	At        time.Time  `json:"at"`
	Segment   int        `json:"segment,omitempty"`
	ErrorCode string     `json:"error_code,omitempty"`
}

func toMessageJSON(v *MessageView) messageJSON {
	m := messageJSON{
		ID: v.ID, To: v.To, From: v.From, Text: v.Text, Binary: v.Binary, Encoding: v.Encoding,
		Segments: v.Segments, Status: v.Status, Flash: v.Flash, DeliveryReport: v.DeliveryReport,
		SendAt: v.SendAt, ValidUntil: v.ValidUntil, CallbackURL: v.CallbackURL, ClientRef: v.ClientRef,
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt, Price: v.Price,
	}
	if len(v.History) > 0 {
		m.History = make([]eventJSON, len(v.History))
		for i, e := range v.History {
			m.History[i] = eventJSON{Status: e.Status, At: e.At, Segment: e.Segment, ErrorCode: e.ErrorCode}
		}
	}
	return m
}
