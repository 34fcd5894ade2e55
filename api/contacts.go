package api

import (
	"context"
	"strconv"

	"github.com/fasthttp/router"
	"github.com/valyala/fasthttp"

	"github.com/gallant-sms/gallant/app"
)

// The contact types of the app package.
type (
	// Contact is [app.Contact].
	Contact = app.Contact
	// ContactInput is [app.ContactInput].
	ContactInput = app.ContactInput
	// ContactQuery is [app.ContactQuery].
	ContactQuery = app.ContactQuery
	// ContactPage is [app.ContactPage].
	ContactPage = app.ContactPage
	// ContactField is [app.ContactField].
	ContactField = app.ContactField
	// ContactFieldList is [app.ContactFieldList].
	ContactFieldList = app.ContactFieldList
	// ContactSettings is [app.ContactSettings].
	ContactSettings = app.ContactSettings
)

// Contacts is the service behind /v1/contacts, /v1/contact-fields and
// /v1/contact-settings: an account's contacts, its custom field
// declarations and its default country. Each method acts on p's account
// only; another account's contact is not found. A nil Contacts in Deps
// answers the endpoints 404.
type Contacts interface {
	// Create stores a new contact.
	Create(ctx context.Context, p Principal, in ContactInput) (Contact, error)
	// Upsert creates or updates the contact in names by external id or
	// phone; created says which.
	Upsert(ctx context.Context, p Principal, in ContactInput) (c Contact, created bool, err error)
	// Get returns contact id.
	Get(ctx context.Context, p Principal, id int64) (Contact, error)
	// Update applies the changes in to contact id.
	Update(ctx context.Context, p Principal, id int64, in ContactInput) (Contact, error)
	// Delete erases contact id.
	Delete(ctx context.Context, p Principal, id int64) error
	// List returns a page of contacts matching q.
	List(ctx context.Context, p Principal, q ContactQuery) (ContactPage, error)
	// Fields returns the custom field declarations.
	Fields(ctx context.Context, p Principal) (ContactFieldList, error)
	// DeclareField declares a custom field.
	DeclareField(ctx context.Context, p Principal, f ContactField) (ContactField, error)
	// DeleteField removes the declaration of field name.
	DeleteField(ctx context.Context, p Principal, name string) error
	// Settings returns the contact settings.
	Settings(ctx context.Context, p Principal) (ContactSettings, error)
	// SetSettings replaces the contact settings.
	SetSettings(ctx context.Context, p Principal, in ContactSettings) (ContactSettings, error)
}

// contactRoutes registers the contact endpoints: reading needs the read
// scope, changing the send scope.
func (s *Server) contactRoutes(r *router.Router) {
	const (
		base     = "/v1/contacts"
		one      = base + "/{id}"
		fields   = "/v1/contact-fields"
		field    = fields + "/{name}"
		settings = "/v1/contact-settings"
		// upsert is a custom method in the AIP-136 style: the colon is
		// part of the literal path.
		upsert = base + ":upsert"
	)
	s.post(r, base, s.cfg.MaxBodyBytes, s.createContact)
	s.post(r, upsert, s.cfg.MaxBodyBytes, s.upsertContact)
	s.get(r, base, s.listContacts)
	s.get(r, one, s.getContact)
	r.PATCH(one, s.instrument("PATCH "+one, s.authed(ScopeSend, s.patchContact)))
	r.DELETE(one, s.instrument("DELETE "+one, s.authed(ScopeSend, s.deleteContact)))
	s.post(r, fields, s.cfg.MaxBodyBytes, s.declareContactField)
	s.get(r, fields, s.listContactFields)
	r.DELETE(field, s.instrument("DELETE "+field, s.authed(ScopeSend, s.deleteContactField)))
	s.get(r, settings, s.getContactSettings)
	r.PUT(settings, s.instrument("PUT "+settings, s.authed(ScopeSend, s.putContactSettings)))
}

// contactsOff answers 404 when the gateway has no Contacts service.
func (s *Server) contactsOff(ctx *fasthttp.RequestCtx) bool {
	return notEnabled(ctx, s.deps.Contacts == nil, "contacts are")
}

func (s *Server) createContact(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.contactsOff(ctx) {
		return
	}
	var in ContactInput
	if !decodeObject(ctx, &in) {
		return
	}
	c, err := s.deps.Contacts.Create(sctx, p, in)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusCreated, c)
}

// upsertContact answers POST /v1/contacts:upsert: 201 with a contact it
// created, 200 with one it updated.
func (s *Server) upsertContact(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.contactsOff(ctx) {
		return
	}
	var in ContactInput
	if !decodeObject(ctx, &in) {
		return
	}
	c, created, err := s.deps.Contacts.Upsert(sctx, p, in)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	code := fasthttp.StatusOK
	if created {
		code = fasthttp.StatusCreated
	}
	s.writeJSON(ctx, code, c)
}

// parseContactQuery reads the query of GET /v1/contacts. Unknown
// parameters are refused, so that a misspelt filter is not ignored.
func parseContactQuery(args *fasthttp.Args) (ContactQuery, *Error) {
	var q ContactQuery
	id := func(k string, v []byte) (int64, *Error) {
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil || n <= 0 {
			return 0, InvalidRequest(k, "must be an id (a positive integer)")
		}
		return n, nil
	}
	for k, v := range args.All() {
		var perr *Error
		switch key := string(k); key {
		case "q":
			q.Q = string(v)
		case "tag":
			q.Tag = string(v)
		case "list":
			q.List, perr = id(key, v)
		case "segment":
			q.Segment, perr = id(key, v)
		case "cursor":
			if len(v) > maxCursor {
				return q, InvalidRequest("cursor", "is not a cursor this API gave")
			}
			q.Cursor = string(v)
		case "limit":
			n, err := strconv.Atoi(string(v))
			if err != nil || n < 1 || n > app.MaxContactsListed {
				return q, InvalidRequest("limit", "must be an integer from 1 to "+strconv.Itoa(app.MaxContactsListed))
			}
			q.Limit = n
		default:
			return q, InvalidRequest(key, "unknown query parameter")
		}
		if perr != nil {
			return q, perr
		}
	}
	return q, nil
}

func (s *Server) listContacts(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.contactsOff(ctx) {
		return
	}
	q, perr := parseContactQuery(ctx.QueryArgs())
	if perr != nil {
		writeProblem(ctx, perr)
		return
	}
	page, err := s.deps.Contacts.List(sctx, p, q)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, page)
}

func (s *Server) getContact(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.contactsOff(ctx) {
		return
	}
	id, ok := pathParamID(ctx, "id", "contact")
	if !ok {
		return
	}
	c, err := s.deps.Contacts.Get(sctx, p, id)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, c)
}

func (s *Server) patchContact(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.contactsOff(ctx) {
		return
	}
	id, ok := pathParamID(ctx, "id", "contact")
	if !ok {
		return
	}
	var in ContactInput
	if !decodeObject(ctx, &in) {
		return
	}
	c, err := s.deps.Contacts.Update(sctx, p, id, in)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, c)
}

func (s *Server) deleteContact(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.contactsOff(ctx) {
		return
	}
	id, ok := pathParamID(ctx, "id", "contact")
	if !ok {
		return
	}
	if err := s.deps.Contacts.Delete(sctx, p, id); err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.SetStatusCode(fasthttp.StatusNoContent)
}

func (s *Server) declareContactField(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.contactsOff(ctx) {
		return
	}
	var f ContactField
	if !decodeObject(ctx, &f) {
		return
	}
	out, err := s.deps.Contacts.DeclareField(sctx, p, f)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusCreated, out)
}

func (s *Server) listContactFields(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.contactsOff(ctx) {
		return
	}
	out, err := s.deps.Contacts.Fields(sctx, p)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, out)
}

func (s *Server) deleteContactField(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.contactsOff(ctx) {
		return
	}
	name, _ := ctx.UserValue("name").(string)
	if err := s.deps.Contacts.DeleteField(sctx, p, name); err != nil {
		s.fail(ctx, err)
		return
	}
	ctx.SetStatusCode(fasthttp.StatusNoContent)
}

func (s *Server) getContactSettings(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.contactsOff(ctx) {
		return
	}
	out, err := s.deps.Contacts.Settings(sctx, p)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, out)
}

func (s *Server) putContactSettings(ctx *fasthttp.RequestCtx, sctx context.Context, p Principal) {
	if s.contactsOff(ctx) {
		return
	}
	var in ContactSettings
	if !decodeObject(ctx, &in) {
		return
	}
	out, err := s.deps.Contacts.SetSettings(sctx, p, in)
	if err != nil {
		s.fail(ctx, err)
		return
	}
	s.writeJSON(ctx, fasthttp.StatusOK, out)
}
