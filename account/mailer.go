package account

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"
)

// Mail is one plain-text message.
type Mail struct {
	To      string
	Subject string
	Body    string
}

// Mailer sends mail. Implementations are safe for concurrent use.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// LogMailer "sends" mail by logging it at Info. It is for gallant demo
// only: the body carries reset and verification tokens, so the log then
// holds secrets. A gateway without a mail relay gives [Users] no mailer
// at all, and the flows that must mail answer [ErrMailUnavailable].
type LogMailer struct {
	Log *slog.Logger
}

// Send implements [Mailer].
func (m LogMailer) Send(ctx context.Context, msg Mail) error {
	if m.Log != nil {
		m.Log.InfoContext(ctx, "mail not sent: no smtp configured", "to", msg.To, "subject", msg.Subject, "body", msg.Body)
	}
	return nil
}

// SMTPConfig says how to reach the mail relay.
type SMTPConfig struct {
	// Addr is host:port of the relay, e.g. "smtp.example.com:587".
	Addr string
	// From is the envelope and header sender address.
	From string
	// Username and Password, when Username is set, authenticate with
	// AUTH PLAIN, which net/smtp allows only over TLS or to localhost.
	Username string
	Password string
	// Timeout bounds a whole send; 0 means 30 seconds.
	Timeout time.Duration
	// TLS, if non-nil, is used for STARTTLS (offered by the server);
	// nil verifies the server against the host of Addr.
	TLS *tls.Config
}

// SMTPMailer sends mail through an SMTP relay, upgrading with STARTTLS
// when the relay offers it.
type SMTPMailer struct {
	cfg  SMTPConfig
	host string
}

// NewSMTPMailer checks cfg and returns a mailer.
func NewSMTPMailer(cfg SMTPConfig) (*SMTPMailer, error) {
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("account: smtp addr: %w", err)
	}
	if _, err := mail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("account: smtp from: %w", err)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &SMTPMailer{cfg: cfg, host: host}, nil
}

var errHeader = errors.New("account: mail header contains a line break")

// Send implements [Mailer].
func (m *SMTPMailer) Send(ctx context.Context, msg Mail) (err error) {
	if strings.ContainsAny(msg.To+msg.Subject, "\r\n") {
		return errHeader
	}
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", m.cfg.Addr)
	if err != nil {
		return fmt.Errorf("account: smtp dial: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, m.host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("account: smtp greeting: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		tc := m.cfg.TLS
		if tc == nil {
			tc = &tls.Config{ServerName: m.host}
		}
		if err := c.StartTLS(tc); err != nil {
			return fmt.Errorf("account: smtp starttls: %w", err)
		}
	}
	if m.cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.cfg.Username, m.cfg.Password, m.host)); err != nil {
			return fmt.Errorf("account: smtp auth: %w", err)
		}
	}
	if err := c.Mail(m.cfg.From); err != nil {
		return fmt.Errorf("account: smtp mail from: %w", err)
	}
	if err := c.Rcpt(msg.To); err != nil {
		return fmt.Errorf("account: smtp rcpt to: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("account: smtp data: %w", err)
	}
	if _, err := w.Write(m.format(msg)); err != nil {
		return fmt.Errorf("account: smtp write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("account: smtp end data: %w", err)
	}
	if err := c.Quit(); err != nil {
		return fmt.Errorf("account: smtp quit: %w", err)
	}
	return nil
}

// format renders msg as an RFC 5322 message with CRLF line ends.
func (m *SMTPMailer) format(msg Mail) []byte {
	var b strings.Builder
	b.WriteString("From: " + m.cfg.From + "\r\n")
	b.WriteString("To: " + msg.To + "\r\n")
	b.WriteString("Subject: " + mime.QEncoding.Encode("utf-8", msg.Subject) + "\r\n")
	b.WriteString("Date: " + time.Now().UTC().Format(time.RFC1123Z) + "\r\n")
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	for line := range strings.Lines(msg.Body) {
		b.WriteString(strings.TrimRight(line, "\r\n") + "\r\n")
	}
	return []byte(b.String())
}
