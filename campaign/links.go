package campaign

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gallant-sms/gallant/store"
)

// CodeLen is the length of a short code: 10 base62 characters are 59.5
// bits from crypto/rand, so with a billion codes stored a guess hits one
// about once in 840 million tries, and two codes of a batch of 500 clash
// with a stored one about once in a million batches (the batch then
// fails, and is rendered again).
const CodeLen = 10

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// NewCode returns a fresh random short code of [CodeLen] base62
// characters.
func NewCode() string {
	var b [CodeLen]byte
	fillCode(b[:])
	return string(b[:])
}

// fillCode fills b with random base62 characters, by rejection sampling
// so each is uniform (248 = 4 × 62).
func fillCode(b []byte) {
	var buf [32]byte
	n := 0
	for i := 0; i < len(b); {
		if n == 0 {
			_, _ = rand.Read(buf[:]) // never fails (crypto/rand)
			n = len(buf)
		}
		n--
		if c := buf[n]; c < 248 {
			b[i] = base62[c%62]
			i++
		}
	}
}

// ValidCode reports whether s could be a short code (base62, [CodeLen]
// characters), so lookups of anything else need no query.
func ValidCode(s string) bool {
	if len(s) != CodeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(base62, s[i]) < 0 {
			return false
		}
	}
	return true
}

// CheckLinkDomain checks the links.domain setting: an absolute http or
// https URL with a host, no query or fragment, such as
// "https://gal.example" (a path prefix such as "https://x.example/l" is
// kept). It returns the domain without a trailing slash.
func CheckLinkDomain(domain string) (string, error) {
	u, err := url.Parse(domain)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" ||
		u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("campaign: links domain %q: want an http or https URL such as https://gal.example", domain)
	}
	return strings.TrimRight(domain, "/"), nil
}

// ErrNotLinkURL is the error of a URL [Links] will not shorten: not an
// absolute http or https URL, or longer than store.MaxLinkURL.
var ErrNotLinkURL = errors.New("campaign: not an http or https URL of at most 2048 bytes")

// checkTarget refuses a URL that is not an absolute http(s) URL.
func checkTarget(target string) error {
	if len(target) > store.MaxLinkURL || !utf8.ValidString(target) {
		return ErrNotLinkURL
	}
	for i := 0; i < len(target); i++ {
		if c := target[i]; c <= ' ' || c == 0x7f {
			return ErrNotLinkURL // never in a Location header
		}
	}
	u, err := url.Parse(target)
	if err != nil || (!strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")) || u.Host == "" {
		return ErrNotLinkURL
	}
	return nil
}

// Links turns URLs into tracked per-recipient short links
// "<domain>/<code>" stored with their account, campaign, recipient and
// target (store.Link); the gateway's GET /l/{code} redirects them and
// counts the clicks. It is safe for concurrent use.
//
// Cost: [Links.Shorten] stores each code with one INSERT and its commit
// (BenchmarkLinksShorten on this 2-core machine: about 60-95 µs on
// SQLite, 0.6-1 ms on MariaDB: fine for a test send, 10 minutes for a
// million recipients on MariaDB). A campaign renders a page of recipients
// through a [LinkBatch] instead and calls [LinkBatch.Flush] before
// submitting the page: one multi-row INSERT per 500 links
// (BenchmarkLinkBatch: about 11-17 µs per link on SQLite, 8-19 µs on
// MariaDB, so under 20 s of store time for a million links).
type Links struct {
	st     *store.Store
	domain string
}

// NewLinks returns the link service over st for domain (the links.domain
// setting, checked with [CheckLinkDomain]).
func NewLinks(st *store.Store, domain string) (*Links, error) {
	d, err := CheckLinkDomain(domain)
	if err != nil {
		return nil, err
	}
	return &Links{st: st, domain: d}, nil
}

// Domain returns the links' domain, without a trailing slash.
func (l *Links) Domain() string { return l.domain }

// ShortURL returns the short link of code.
func (l *Links) ShortURL(code string) string { return l.domain + "/" + code }

// isOwn reports whether target is already one of our short links (which
// is not shortened again).
func (l *Links) isOwn(target string) bool {
	return len(target) > len(l.domain) && target[len(l.domain)] == '/' && strings.EqualFold(target[:len(l.domain)], l.domain)
}

// Shorten stores a fresh code for url sent to recipientID of the
// account's campaignID and returns its short link. A URL already on the
// links' domain is returned as it is. recipientID is the campaign's
// recipient row (campaign_recipients id, as the engine sends): erasing
// its contact erases its links (store.DeleteContact).
func (l *Links) Shorten(ctx context.Context, accountID, campaignID, recipientID int64, url string) (string, error) {
	if l.isOwn(url) {
		return url, nil
	}
	if err := checkTarget(url); err != nil {
		return "", err
	}
	for range 3 { // a clash with a stored code is a new draw
		code := NewCode()
		err := l.st.InsertLinks(ctx, []store.Link{{Code: code, AccountID: accountID, CampaignID: campaignID,
			RecipientID: recipientID, URL: url}})
		if errors.Is(err, store.ErrDuplicate) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("campaign: shorten: %w", err)
		}
		return l.ShortURL(code), nil
	}
	return "", errors.New("campaign: shorten: three code clashes in a row")
}

// Sample returns a short link as [Links.Shorten] would make it for url,
// without storing it (a preview's).
func (l *Links) Sample(url string) (string, error) {
	if l.isOwn(url) {
		return url, nil
	}
	if err := checkTarget(url); err != nil {
		return "", err
	}
	return l.ShortURL(NewCode()), nil
}

// Batch returns an empty batch of links of the account's campaign.
func (l *Links) Batch(accountID, campaignID int64) *LinkBatch {
	return &LinkBatch{l: l, account: accountID, campaign: campaignID}
}

// VariantBatch returns an empty batch of links sent in variant (an A/B
// variant or a drip step, not 0) of the account's campaign: their clicks
// also count apart (store.CampaignClicksByVariant), for an A/B test
// judged by click rate.
func (l *Links) VariantBatch(accountID, campaignID, variant int64) *LinkBatch {
	return &LinkBatch{l: l, account: accountID, campaign: campaignID, variant: variant}
}

// LinkBatch collects the short links of a page of recipients in memory
// and stores them with one multi-row INSERT per 500 ([LinkBatch.Flush]).
// A code is not served before Flush has returned nil: flush before
// sending the texts that carry them, and render the page again with a new
// batch if Flush fails. A LinkBatch is not safe for concurrent use.
type LinkBatch struct {
	l                 *Links
	account, campaign int64
	variant           int64
	rows              []store.Link
}

// Shorten returns a short link for url sent to recipientID, to be stored
// by the next Flush. A URL already on the links' domain is returned as it
// is.
func (b *LinkBatch) Shorten(recipientID int64, url string) (string, error) {
	if b.l.isOwn(url) {
		return url, nil
	}
	if err := checkTarget(url); err != nil {
		return "", err
	}
	code := NewCode()
	b.rows = append(b.rows, store.Link{Code: code, AccountID: b.account, CampaignID: b.campaign, RecipientID: recipientID,
		Variant: b.variant, URL: url})
	return b.l.ShortURL(code), nil
}

// Link returns recipientID's [Recipient].Link function. A URL that
// cannot be tracked ([ErrNotLinkURL]: too long, malformed) is left as it
// is rather than failing the recipient.
func (b *LinkBatch) Link(recipientID int64) func(url string) (string, error) {
	return func(url string) (string, error) {
		short, err := b.Shorten(recipientID, url)
		if errors.Is(err, ErrNotLinkURL) {
			return url, nil
		}
		return short, err
	}
}

// Len returns how many links wait for Flush.
func (b *LinkBatch) Len() int { return len(b.rows) }

// Flush stores the links made since the last Flush, in one transaction,
// and empties the batch. On an error none is stored and the batch keeps
// them (its texts must not be sent).
func (b *LinkBatch) Flush(ctx context.Context) error {
	if len(b.rows) == 0 {
		return nil
	}
	if err := b.l.st.InsertLinks(ctx, b.rows); err != nil {
		return fmt.Errorf("campaign: flush %d links: %w", len(b.rows), err)
	}
	clear(b.rows)
	b.rows = b.rows[:0]
	return nil
}

// replaceLinks replaces each http:// or https:// URL in s by what link
// returns for it. A URL runs to the next space or control character or
// the end, less trailing punctuation (".,;:!?'\"" and a closing bracket
// it does not open). s without a URL is returned as it is, allocation
// free.
func replaceLinks(s string, link func(string) (string, error)) (string, error) {
	start, end := nextURL(s, 0)
	if start < 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	from := 0
	for start >= 0 {
		short, err := link(s[start:end])
		if err != nil {
			return "", fmt.Errorf("campaign: link %q: %w", s[start:end], err)
		}
		b.WriteString(s[from:start])
		b.WriteString(short)
		from = end
		start, end = nextURL(s, end)
	}
	b.WriteString(s[from:])
	return b.String(), nil
}

// FindURLs returns the http:// and https:// URLs of s, as [Template.Render]
// finds them.
func FindURLs(s string) []string {
	var out []string
	for start, end := nextURL(s, 0); start >= 0; start, end = nextURL(s, end) {
		out = append(out, s[start:end])
	}
	return out
}

// nextURL finds the first URL in s at or after from: its bounds, or -1.
func nextURL(s string, from int) (start, end int) {
	for i := from; i+7 < len(s); {
		j := indexFold(s[i:], "http")
		if j < 0 {
			return -1, -1
		}
		p := i + j
		i = p + 4
		if p > 0 && isWordByte(s[p-1]) {
			continue // "xhttp://"
		}
		rest := s[p+4:]
		var n int
		switch {
		case strings.HasPrefix(rest, "://"):
			n = p + 7
		case len(rest) > 0 && (rest[0] == 's' || rest[0] == 'S') && strings.HasPrefix(rest[1:], "://"):
			n = p + 8
		default:
			continue
		}
		e := n
		for e < len(s) {
			r, size := rune(s[e]), 1
			if r >= utf8.RuneSelf {
				r, size = utf8.DecodeRuneInString(s[e:])
			}
			if unicode.IsSpace(r) || unicode.IsControl(r) || r == '<' || r == '>' || r == '"' {
				break
			}
			e += size
		}
		e = trimURL(s[p:e]) + p
		if e > n {
			return p, e
		}
		i = n
	}
	return -1, -1
}

// trimURL returns the length of u without its trailing punctuation.
func trimURL(u string) int {
	for len(u) > 0 {
		c := u[len(u)-1]
		switch c {
		case '.', ',', ';', ':', '!', '?', '\'', '"', '*':
		case ')', ']', '}':
			open := "("
			if c == ']' {
				open = "["
			} else if c == '}' {
				open = "{"
			}
			if strings.Count(u, open) >= strings.Count(u, u[len(u)-1:]) {
				return len(u)
			}
		default:
			return len(u)
		}
		u = u[:len(u)-1]
	}
	return 0
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '/' || c == '.'
}

// indexFold is strings.Index ignoring ASCII case for a lower-case ASCII
// needle.
func indexFold(s, needle string) int {
	for i := 0; i+len(needle) <= len(s); i++ {
		if s[i]|0x20 != needle[0] {
			continue
		}
		ok := true
		for k := 1; k < len(needle); k++ {
			if s[i+k]|0x20 != needle[k] {
				ok = false
				break
			}
		}
		if ok {
			return i
		}
	}
	return -1
}
