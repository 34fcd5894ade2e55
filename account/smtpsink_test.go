package account

import (
	"bufio"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// sinkMail is a message the sink received.
type sinkMail struct {
	From, To string
	Data     string
}

// smtpSink is a minimal SMTP server on 127.0.0.1:0 that keeps what it
// receives. It speaks just enough of RFC 5321 for net/smtp.
type smtpSink struct {
	ln   net.Listener
	mail chan sinkMail
	wg   sync.WaitGroup

	mu    sync.Mutex
	conns map[net.Conn]bool
}

func newSMTPSink(t testing.TB) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln, mail: make(chan sinkMail, 32), conns: map[net.Conn]bool{}}
	s.wg.Go(s.accept)
	t.Cleanup(s.close)
	return s
}

func (s *smtpSink) addr() string { return s.ln.Addr().String() }

func (s *smtpSink) close() {
	s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *smtpSink) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[c] = true
		s.mu.Unlock()
		s.wg.Go(func() {
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
			s.serve(c)
		})
	}
}

func (s *smtpSink) serve(c net.Conn) {
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	r := textproto.NewReader(bufio.NewReader(c))
	reply := func(line string) bool {
		_, err := c.Write([]byte(line + "\r\n"))
		return err == nil
	}
	if !reply("220 sink ESMTP") {
		return
	}
	var m sinkMail
	for {
		line, err := r.ReadLine()
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		switch verb {
		case "EHLO", "HELO", "NOOP", "RSET":
			reply("250 sink")
		case "MAIL":
			m.From = addrArg(line)
			reply("250 ok")
		case "RCPT":
			m.To = addrArg(line)
			reply("250 ok")
		case "DATA":
			reply("354 end with <CRLF>.<CRLF>")
			b, err := r.ReadDotBytes()
			if err != nil {
				return
			}
			m.Data = string(b)
			s.mail <- m
			m = sinkMail{}
			reply("250 queued")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 not implemented")
		}
	}
}

// addrArg returns the address inside <...> of a MAIL or RCPT line.
func addrArg(line string) string {
	_, rest, _ := strings.Cut(line, "<")
	a, _, _ := strings.Cut(rest, ">")
	return a
}

// next waits for the next mail.
func (s *smtpSink) next(t *testing.T) sinkMail {
	t.Helper()
	select {
	case m := <-s.mail:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no mail arrived")
		return sinkMail{}
	}
}

// tokenAfter returns the 32-character token following prefix in a mail.
func tokenAfter(t *testing.T, m sinkMail, prefix string) string {
	t.Helper()
	_, rest, ok := strings.Cut(m.Data, prefix)
	if !ok || len(rest) < 32 {
		t.Fatalf("no token after %q in mail:\n%s", prefix, m.Data)
	}
	return rest[:32]
}

func TestSMTPMailer(t *testing.T) {
	sink := newSMTPSink(t)
	m, err := NewSMTPMailer(SMTPConfig{Addr: sink.addr(), From: "noreply@gallant.test", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := m.Send(ctx, Mail{To: "ann@example.com", Subject: "Héllo", Body: "line one\n.leading dot\n"}); err != nil {
		t.Fatal(err)
	}
	got := sink.next(t)
	if got.From != "noreply@gallant.test" || got.To != "ann@example.com" ||
		!strings.Contains(got.Data, "Subject: =?utf-8?q?H=C3=A9llo?=") ||
		!strings.Contains(got.Data, "\nline one\n.leading dot\n") {
		t.Fatalf("mail: %+v", got)
	}
	if err := m.Send(ctx, Mail{To: "ann@example.com\r\nBcc: eve@example.com", Subject: "x"}); err == nil {
		t.Fatal("header injection accepted")
	}
	for _, bad := range []SMTPConfig{{Addr: "nohost", From: "a@b.c"}, {Addr: "127.0.0.1:25", From: "not an address"}} {
		if _, err := NewSMTPMailer(bad); err == nil {
			t.Errorf("NewSMTPMailer(%+v) accepted", bad)
		}
	}
	// A relay that is not there is an error, not a hang.
	sink.close()
	if err := m.Send(ctx, Mail{To: "ann@example.com", Subject: "x"}); err == nil {
		t.Fatal("send to a closed relay succeeded")
	}
}
