package contact_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gallant-sms/gallant/contact"
	"github.com/gallant-sms/gallant/store"
	"github.com/gallant-sms/gallant/store/storetest"
)

// importGenRows is a contacts CSV of n rows made as it is read (csvRows of
// budget_test.go, which -race leaves out).
type importGenRows struct {
	i, n int
	buf  []byte
}

func (r *importGenRows) Read(p []byte) (int, error) {
	if r.i == 0 && len(r.buf) == 0 {
		r.buf = append(r.buf, "phone,first_name,last_name,email,city\n"...)
	}
	for len(r.buf) < len(p) && r.i < r.n {
		r.buf = append(r.buf, "+447"+strconv.Itoa(100000000+r.i)+",Ann,Lee,ann"+strconv.Itoa(r.i)+"@example.com,London\n"...)
		r.i++
	}
	if len(r.buf) == 0 {
		return 0, io.EOF
	}
	k := copy(p, r.buf)
	r.buf = r.buf[:copy(r.buf, r.buf[k:])]
	return k, nil
}

// TestImportHooks: Reject gets each bad row's line, reason and fields
// (a quoted field spanning lines counts its lines; bad UTF-8 is a
// rejection, not a failed batch), Stored gets each stored batch and stops
// the import with ErrStopped, and MaxRows ends it after storing the rows
// allowed.
func TestImportHooks(t *testing.T) {
	for _, driver := range storetest.Drivers {
		t.Run(driver, func(t *testing.T) {
			st := openStore(t, driver)
			ctx := context.Background()
			file := "phone,first_name,note\n+447700900001,Ann,\"two\nlines\"\nnope,Bob,x\n+447700900002,Caf\xe9,latin-1\n\n+447700900003,Dan,ok\n"
			type rej struct {
				line   int
				reason string
				rec    []string
			}
			var rejs []rej
			var stored []string
			rep, err := contact.Import(ctx, st, 7, strings.NewReader(file), contact.ImportOptions{
				Reject: func(r contact.Rejection, rec []string, _ contact.Report) error {
					rejs = append(rejs, rej{r.Line, r.Reason, slices.Clone(rec)})
					return nil
				},
				Stored: func(_ context.Context, batch []store.Contact, _ contact.Report) error {
					for _, c := range batch {
						stored = append(stored, c.Phone)
					}
					return nil
				},
			})
			if err != nil || rep.Rows != 4 || rep.Imported != 2 || rep.Rejected != 2 {
				t.Fatalf("report %+v, %v", rep, err)
			}
			if len(rejs) != 2 || rejs[0].line != 4 || !slices.Equal(rejs[0].rec, []string{"nope", "Bob", "x"}) ||
				rejs[1].line != 5 || !strings.Contains(rejs[1].reason, "UTF-8") {
				t.Fatalf("rejections %+v", rejs)
			}
			slices.Sort(stored) // two writers: batches come back in either order
			if !slices.Equal(stored, []string{"447700900001", "447700900003"}) {
				t.Fatalf("stored %v", stored)
			}

			// Stop after the first batch: the batch stays, and so does the
			// other writer's batch if it was being stored; nothing after.
			_, err = contact.Import(ctx, st, 8, &importGenRows{n: 5000}, contact.ImportOptions{
				Stored: func(context.Context, []store.Contact, contact.Report) error { return contact.ErrStopped },
			})
			if n, _ := st.CountContacts(ctx, 8); !errors.Is(err, contact.ErrStopped) || (n != 1000 && n != 2000) {
				t.Fatalf("stopped: %v, %d stored", err, n)
			}
			// MaxRows: the rows allowed are stored, then ErrTooManyRows.
			rep, err = contact.Import(ctx, st, 9, &importGenRows{n: 2500}, contact.ImportOptions{MaxRows: 2000})
			if n, _ := st.CountContacts(ctx, 9); !errors.Is(err, contact.ErrTooManyRows) || n != 2000 || rep.Imported != 2000 {
				t.Fatalf("max rows: %v, %d stored, %+v", err, n, rep)
			}
			if _, err := contact.Import(ctx, st, 9, &importGenRows{n: 2000}, contact.ImportOptions{MaxRows: 2000}); err != nil {
				t.Fatalf("exactly MaxRows: %v", err)
			}
		})
	}
}

// TestPreviewImport: a preview reads the first rows only, guesses or
// takes the mapping, and reports the rejected lines among them.
func TestPreviewImport(t *testing.T) {
	p, err := contact.PreviewImport(&importGenRows{n: 1_000_000}, contact.ImportOptions{}, 5)
	if err != nil || len(p.Rows) != 5 || p.Report.Rows != 5 || p.Rows[0].Line != 2 || p.Rows[0].Contact.Phone != "447100000000" ||
		!slices.Equal(p.Mapping, []string{"phone", "first_name", "last_name", "email", "field.city"}) || p.Rows[0].Contact.Fields != `{"city":"London"}` {
		t.Fatalf("preview %+v %v", p, err)
	}
	p, err = contact.PreviewImport(strings.NewReader("x,07700900001\ny,bad\n"), contact.ImportOptions{Mapping: []string{"", "phone"}, DefaultCountry: "GB"}, 10)
	if err != nil || len(p.Rows) != 1 || p.Rows[0].Contact.Phone != "447700900001" || len(p.Rejected) != 1 || p.Rejected[0].Line != 2 {
		t.Fatalf("preview with mapping %+v %v", p, err)
	}
	if _, err := contact.PreviewImport(strings.NewReader("name\nAnn\n"), contact.ImportOptions{}, 10); !errors.Is(err, contact.ErrNoPhoneColumn) {
		t.Fatalf("no phone column: %v", err)
	}
}

// TestParseMapping: JSON or comma lists, skips, exactly one phone,
// unknown fields refused.
func TestParseMapping(t *testing.T) {
	for in, want := range map[string][]string{
		`["phone","-","field.tier"]`:               {"phone", "", "field.tier"},
		"first_name, phone,,tags":                  {"first_name", "phone", "", "tags"},
		"phone,email,language,time_zone,last_name": {"phone", "email", "language", "time_zone", "last_name"},
	} {
		if got, err := contact.ParseMapping(in); err != nil || !slices.Equal(got, want) {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "first_name", "phone,phone", "phone,nick", `["phone",1]`, "phone,field.", "[", strings.Repeat("-,", 200) + "phone"} {
		if got, err := contact.ParseMapping(in); err == nil {
			t.Errorf("%q accepted: %q", in, got)
		}
	}
}
