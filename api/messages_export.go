package api

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"
)

// exportTimeout bounds one export's stream, which runs after its handler.
const exportTimeout = 30 * time.Minute

// exportPageSize is how many messages an export reads at a time (a
// variable for the tests).
var exportPageSize = MaxListLimit

// messageCSVHeader is the first row of GET /v1/messages/export.
var messageCSVHeader = []string{"id", "created_at", "updated_at", "to", "from", "status", "segments", "encoding",
	"price", "client_ref", "text"}

// exportMessages serves GET /v1/messages/export: the messages GET
// /v1/messages would list with the same filters, every page of them, as
// CSV, newest first. It reads one page at a time, so memory stays bounded
// whatever the number of rows.
func (s *Server) exportMessages(ctx *fasthttp.RequestCtx, _ context.Context, p Principal) {
	f, perr := parseListFilter(ctx.QueryArgs())
	if perr == nil && (f.Cursor != "" || ctx.QueryArgs().Has("limit")) {
		field := "cursor"
		if f.Cursor == "" {
			field = "limit"
		}
		perr = InvalidRequest(field, "unknown query parameter")
	}
	if perr != nil {
		writeProblem(ctx, perr)
		return
	}
	f.Limit = exportPageSize
	ctx.Response.Header.SetContentType("text/csv; charset=utf-8")
	ctx.Response.Header.Set("Content-Disposition", `attachment; filename="messages.csv"`)
	ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
		// The request's context ends with the handler: the stream runs
		// after it, bounded by its own time and ended by a forced shutdown.
		ectx, cancel := context.WithTimeout(s.base, exportTimeout)
		defer cancel()
		if err := s.writeMessagesCSV(ectx, w, p, f); err != nil {
			s.log.Error("export messages", "account", p.AccountID, "err", err)
		}
	})
}

// writeMessagesCSV writes the header and every message matching f, page
// after page.
func (s *Server) writeMessagesCSV(ctx context.Context, w io.Writer, p Principal, f ListFilter) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(messageCSVHeader); err != nil {
		return fmt.Errorf("write header: %w", err)
	}
	rec := make([]string, len(messageCSVHeader))
	for {
		page, err := s.deps.Messages.List(ctx, p, f)
		if err != nil {
			return fmt.Errorf("list page: %w", err)
		}
		for i := range page.Items {
			messageRecord(rec, &page.Items[i])
			if err := cw.Write(rec); err != nil {
				return fmt.Errorf("write row: %w", err)
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("flush: %w", err)
		}
		if page.NextCursor == "" {
			return nil
		}
		f.Cursor = page.NextCursor
	}
}

// messageRecord fills rec with m's CSV fields, in messageCSVHeader's order.
func messageRecord(rec []string, m *MessageView) {
	rec[0] = m.ID.String()
	rec[1] = m.CreatedAt.UTC().Format(time.RFC3339)
	rec[2] = ""
	if !m.UpdatedAt.IsZero() {
		rec[2] = m.UpdatedAt.UTC().Format(time.RFC3339)
	}
	rec[3], rec[4], rec[5] = m.To, m.From, m.Status.String()
	rec[6], rec[7] = strconv.Itoa(m.Segments), m.Encoding
	rec[8] = ""
	if m.Price != nil {
		rec[8] = strconv.FormatInt(*m.Price, 10)
	}
	rec[9], rec[10] = m.ClientRef, spreadsheetSafe(m.Text)
}

// spreadsheetSafe keeps a spreadsheet from reading a message text as a
// formula: a text starting with =, +, -, @, tab or carriage return gets a
// leading apostrophe.
func spreadsheetSafe(text string) string {
	if text != "" {
		switch text[0] {
		case '=', '+', '-', '@', '\t', '\r':
			return "'" + text
		}
	}
	return text
}
