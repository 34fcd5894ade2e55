package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"
)

// Helpers shared by the management endpoints (identity, accounts,
// alerts, reports): strict JSON bodies and numeric path parameters.

// decodeObject decodes a JSON object body strictly into v: unknown
// members, a wrong type, an empty body or data after the object are
// refused with a problem naming what is wrong. On failure it answers the
// request and returns false.
func decodeObject(ctx *fasthttp.RequestCtx, v any) bool {
	body := ctx.PostBody()
	if len(bytes.TrimSpace(body)) == 0 {
		writeProblem(ctx, InvalidJSON("the body is empty; want a JSON object"))
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			writeProblem(ctx, InvalidJSON("unexpected data after the JSON object"))
			return false
		}
		return true
	}
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te):
		writeProblem(ctx, InvalidRequest(te.Field, "wrong type: want "+jsonTypeName(te.Type.String())))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		writeProblem(ctx, InvalidRequest(field, "unknown member"))
	case strings.HasPrefix(err.Error(), "app: bad id"): // app.FlexID
		writeProblem(ctx, InvalidRequest("", "ids are positive integers (as a string or a number)"))
	default:
		writeProblem(ctx, InvalidJSON("the body is not a well-formed JSON object"))
	}
	return false
}

// jsonTypeName says in words what JSON a Go type takes.
func jsonTypeName(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case goType == "string", goType == "*string":
		return "a string"
	case goType == "bool":
		return "true or false"
	case strings.Contains(goType, "int"):
		return "an integer"
	}
	return "an object"
}

// pathParamID parses the positive integer path parameter name; a
// malformed id names nothing, so it is answered 404 "no such <what>".
func pathParamID(ctx *fasthttp.RequestCtx, name, what string) (int64, bool) {
	raw, _ := ctx.UserValue(name).(string)
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		writeProblem(ctx, NotFound("no such "+what))
		return 0, false
	}
	return id, true
}

// accountParam parses the {id} of /v1/accounts/{id}/...
func accountParam(ctx *fasthttp.RequestCtx) (int64, bool) {
	return pathParamID(ctx, "id", "account")
}
