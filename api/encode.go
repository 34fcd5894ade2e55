package api

import (
	"strconv"
	"unicode/utf8"

	"github.com/valyala/fasthttp"
)

// Content types of our answers.
const (
	contentJSON    = "application/json"
	contentProblem = "application/problem+json"
)

const hexDigits = "0123456789abcdef"

// appendJSONString appends s to dst as a JSON string. Invalid UTF-8 becomes
// U+FFFD; U+2028 and U+2029 are escaped so the output is also valid
// JavaScript.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendProblem appends the problem document of e.
func appendProblem(dst []byte, e *Error) []byte {
	dst = append(dst, `{"type":"`...)
	dst = append(dst, ProblemBase...)
	dst = append(dst, e.Type...) // a Type constant: plain ASCII
	dst = append(dst, `","title":`...)
	dst = appendJSONString(dst, e.Title)
	dst = append(dst, `,"status":`...)
	dst = strconv.AppendInt(dst, int64(e.Status), 10)
	if e.Detail != "" {
		dst = append(dst, `,"detail":`...)
		dst = appendJSONString(dst, e.Detail)
	}
	if e.Field != "" {
		dst = append(dst, `,"field":`...)
		dst = appendJSONString(dst, e.Field)
	}
	return append(dst, '}')
}

// appendSendResult appends the JSON answer for an accepted message. With
// full false it leaves out the encoding (the batch item form).
func appendSendResult(dst []byte, r *SendResult, full bool) []byte {
	dst = append(dst, `{"id":"`...)
	dst = r.ID.AppendTo(dst)
	dst = append(dst, `","status":"`...)
	dst = append(dst, r.Status.String()...) // a status name: plain ASCII
	dst = append(dst, `","segments":`...)
	dst = strconv.AppendInt(dst, int64(r.Segments), 10)
	if full && r.Encoding != "" {
		dst = append(dst, `,"encoding":`...)
		dst = appendJSONString(dst, r.Encoding)
	}
	if r.Price != nil {
		dst = append(dst, `,"price":`...)
		dst = strconv.AppendInt(dst, *r.Price, 10)
	}
	return append(dst, '}')
}

// appendBatchAnswer appends the answer to a batch: every item in order,
// then the counts. problems[i] is the problem of a rejected item i.
func appendBatchAnswer(dst []byte, items []BatchItem, problems []*Error) []byte {
	dst = append(dst, `{"items":[`...)
	accepted := 0
	for i := range items {
		if i > 0 {
			dst = append(dst, ',')
		}
		if p := problems[i]; p != nil {
			dst = append(dst, `{"error":`...)
			dst = appendProblem(dst, p)
			dst = append(dst, '}')
			continue
		}
		accepted++
		dst = appendSendResult(dst, &items[i].Result, false)
	}
	dst = append(dst, `],"accepted":`...)
	dst = strconv.AppendInt(dst, int64(accepted), 10)
	dst = append(dst, `,"rejected":`...)
	dst = strconv.AppendInt(dst, int64(len(items)-accepted), 10)
	return append(dst, '}')
}

// bodyBuffer takes the response's body buffer for appending; hand it back
// with [finish]. Reusing fasthttp's pooled buffer keeps answers free of
// allocations.
func bodyBuffer(ctx *fasthttp.RequestCtx) []byte {
	return ctx.Response.SwapBody(nil)[:0]
}

// finish sets the status, content type and body (from [bodyBuffer]).
func finish(ctx *fasthttp.RequestCtx, status int, contentType string, body []byte) {
	ctx.Response.SwapBody(body)
	ctx.Response.SetStatusCode(status)
	ctx.Response.Header.SetContentType(contentType)
}

// writeProblem answers with e.
func writeProblem(ctx *fasthttp.RequestCtx, e *Error) {
	if e.RetryAfter > 0 {
		ctx.Response.Header.Set("Retry-After", retryAfterSeconds(e.RetryAfter))
	}
	finish(ctx, e.Status, contentProblem, appendProblem(bodyBuffer(ctx), e))
}
