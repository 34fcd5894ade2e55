package api

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/internal/testutil"
)

// rawAnswer is an answer read off a raw connection.
type rawAnswer struct {
	code int
	body string
}

// sendHead writes a request's head (no body) on c and waits up to 3 s for
// the answer: a server that wants the body first never answers.
func sendHead(c net.Conn, method, path, key string, extra ...string) (rawAnswer, error) {
	return sendHeadWait(c, 3*time.Second, method, path, key, extra...)
}

// sendHeadWait is sendHead waiting d.
func sendHeadWait(c net.Conn, d time.Duration, method, path, key string, extra ...string) (rawAnswer, error) {
	head := method + " " + path + " HTTP/1.1\r\nHost: gallant\r\nContent-Type: application/json\r\n"
	if key != "" {
		head += "Authorization: Bearer " + key + "\r\n"
	}
	for _, h := range extra {
		head += h + "\r\n"
	}
	if _, err := io.WriteString(c, head+"\r\n"); err != nil {
		return rawAnswer{}, err
	}
	return readAnswer(c, d)
}

// readAnswer reads one answer from c within d.
func readAnswer(c net.Conn, d time.Duration) (rawAnswer, error) {
	if err := c.SetReadDeadline(time.Now().Add(d)); err != nil {
		return rawAnswer{}, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return rawAnswer{}, err
	}
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	return rawAnswer{code: resp.StatusCode, body: string(b)}, err
}

func dialRaw(t testing.TB, ts *testServer) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", strings.TrimPrefix(ts.base, "http://"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// TestBodyLimitsBeforeReading: a request's body limit is chosen from its
// headers, and a body declared over it is refused with 413 before a byte
// of it is sent: 16 KiB without valid credentials, 64 KiB with them, the
// batch size only for an authenticated batch with the send scope.
func TestBodyLimitsBeforeReading(t *testing.T) {
	ts := newIdentityServer(t, &fakeIdentity{})
	cases := []struct {
		name, method, path, key string
		length                  int
		refused                 bool
	}{
		{"login over the unauthenticated limit", "POST", "/v1/auth/login", "", 16<<10 + 1, true},
		{"login with a batch's size", "POST", "/v1/auth/login", "", 16 << 20, true},
		{"message without a key", "POST", "/v1/messages", "", 20 << 10, true},
		{"message with a bad key", "POST", "/v1/messages", "nobody", 20 << 10, true},
		{"message over the body limit", "POST", "/v1/messages", keySend, 64<<10 + 1, true},
		{"batch without a key", "POST", "/v1/messages/batch", "", 1 << 20, true},
		{"batch with a bad key", "POST", "/v1/messages/batch", "nobody", 1 << 20, true},
		{"batch without the send scope", "POST", "/v1/messages/batch", keyRead, 1 << 20, true},
		{"batch spelled otherwise", "POST", "/v1/messages/batch/", keySend, 1 << 20, true},
		{"batch over its limit", "POST", "/v1/messages/batch", keySend, 16<<20 + 1, true},
		{"GET with a body", "GET", "/v1/messages", "", 1 << 20, true},
		{"message within the limit", "POST", "/v1/messages", keySend, 20 << 10, false},
		{"batch within its limit", "POST", "/v1/messages/batch", keySend, 1 << 20, false},
		{"login within the limit", "POST", "/v1/auth/login", "", 16 << 10, false},
	}
	refused := 0
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, ts)
			// A refusal comes at once; the server waiting for the body
			// says nothing.
			wait := 3 * time.Second
			if !tc.refused {
				wait = 500 * time.Millisecond
			}
			a, err := sendHeadWait(c, wait, tc.method, tc.path, tc.key, "Content-Length: "+strconv.Itoa(tc.length))
			if !tc.refused {
				// The server waits for the body: no answer to the head.
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					t.Fatalf("answered %d %s (err %v) before the body was sent", a.code, a.body, err)
				}
				return
			}
			refused++
			if err != nil {
				t.Fatalf("no answer to the head alone: %v", err)
			}
			if a.code != http.StatusRequestEntityTooLarge || !strings.Contains(a.body, TypePayloadTooLarge) {
				t.Fatalf("answer %d %s, want 413 payload-too-large", a.code, a.body)
			}
		})
	}
	if !strings.Contains(metricsText(t, ts.reg), `gallant_http_refused_total{reason="body_too_large"} `+strconv.Itoa(refused)) {
		t.Errorf("gallant_http_refused_total{reason=\"body_too_large\"} is not %d", refused)
	}
}

// TestChunkedBodyLimit: a chunked body, whose size the headers do not
// tell, is refused once it passes the limit, and a large authenticated
// batch sent chunked is served.
func TestChunkedBodyLimit(t *testing.T) {
	ts := newIdentityServer(t, &fakeIdentity{})
	c := dialRaw(t, ts)
	head := "POST /v1/auth/login HTTP/1.1\r\nHost: gallant\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
	chunk := strconv.FormatInt(4096, 16) + "\r\n" + strings.Repeat("a", 4096) + "\r\n"
	if _, err := io.WriteString(c, head+strings.Repeat(chunk, 5)); err != nil {
		t.Fatal(err)
	}
	a, err := readAnswer(c, 3*time.Second)
	if err != nil || a.code != http.StatusRequestEntityTooLarge {
		t.Fatalf("20 KiB chunked to login: %d %s %v, want 413", a.code, a.body, err)
	}

	items := make([]string, 2000)
	for i := range items {
		items[i] = `"+4477009` + strconv.Itoa(10000+i) + `"`
	}
	body := `{"to":[` + strings.Join(items, ",") + `],"text":"` + strings.Repeat("x", 100) + `"}`
	c = dialRaw(t, ts)
	head = "POST /v1/messages/batch HTTP/1.1\r\nHost: gallant\r\nContent-Type: application/json\r\nAuthorization: Bearer " +
		keySend + "\r\nTransfer-Encoding: chunked\r\n\r\n"
	if _, err := io.WriteString(c, head+strconv.FormatInt(int64(len(body)), 16)+"\r\n"+body+"\r\n0\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if a, err := readAnswer(c, 10*time.Second); err != nil || a.code != http.StatusAccepted {
		t.Fatalf("chunked batch of %d bytes: %d %.200s %v, want 202", len(body), a.code, a.body, err)
	}
}

// TestConnectionLimits: connections over MaxConnsPerIP from one address,
// or over Concurrency in all, are answered and closed as they arrive, and
// counted; a closed connection frees its place; trusted proxies are
// exempt from the per-address limit.
func TestConnectionLimits(t *testing.T) {
	open := func(t *testing.T, ts *testServer, n int) []net.Conn {
		t.Helper()
		var cs []net.Conn
		for range n {
			c := dialRaw(t, ts)
			if a, err := sendHead(c, "GET", "/healthz", ""); err != nil || a.code != http.StatusOK {
				t.Fatalf("connection %d: %d %v", len(cs), a.code, err)
			}
			cs = append(cs, c)
		}
		return cs
	}
	refusedWith := func(t *testing.T, ts *testServer, code int, typ string) {
		t.Helper()
		c := dialRaw(t, ts)
		a, err := readAnswer(c, 3*time.Second) // answered before it asks
		if err != nil || a.code != code || !strings.Contains(a.body, typ) {
			t.Fatalf("connection over the limit: %d %s %v, want %d %s", a.code, a.body, err, code, typ)
		}
	}
	t.Run("per address", func(t *testing.T) {
		ts := newTestServer(t, Config{MaxConnsPerIP: 3})
		cs := open(t, ts, 3)
		refusedWith(t, ts, http.StatusTooManyRequests, TypeRateLimited)
		if m := metricsText(t, ts.reg); !strings.Contains(m, `gallant_http_refused_total{reason="conns_per_ip"} 1`) ||
			!strings.Contains(m, "gallant_http_open_connections 3") {
			t.Errorf("metrics:\n%s", grepLines(m, "gallant_http_refused_total", "gallant_http_open_connections"))
		}
		_ = cs[0].Close()
		testutil.Eventually(t, "a place freed by a closed connection", func() (bool, string) {
			c := dialRaw(t, ts)
			a, err := sendHead(c, "GET", "/healthz", "")
			_ = c.Close()
			return err == nil && a.code == http.StatusOK, strconv.Itoa(a.code)
		})
	})
	t.Run("in all", func(t *testing.T) {
		ts := newTestServer(t, Config{Concurrency: 2, MaxConnsPerIP: -1})
		open(t, ts, 2)
		refusedWith(t, ts, http.StatusServiceUnavailable, TypeBackpressure)
		if m := metricsText(t, ts.reg); !strings.Contains(m, `gallant_http_refused_total{reason="concurrency"} 1`) {
			t.Errorf("metrics:\n%s", grepLines(m, "gallant_http_refused_total"))
		}
	})
	t.Run("trusted proxy exempt", func(t *testing.T) {
		ts := newTestServer(t, Config{MaxConnsPerIP: 2, TrustedProxies: []string{"127.0.0.0/8"}})
		open(t, ts, 5)
	})
	t.Run("default limit", func(t *testing.T) {
		def := DefaultConfig().MaxConnsPerIP
		if def <= 0 {
			t.Fatalf("default MaxConnsPerIP %d: want a limit", def)
		}
		ts := newTestServer(t, Config{})
		open(t, ts, def)
		refusedWith(t, ts, http.StatusTooManyRequests, TypeRateLimited)
	})
}

// grepLines returns the lines of s that contain any of subs.
func grepLines(s string, subs ...string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		for _, sub := range subs {
			if strings.Contains(l, sub) {
				out = append(out, l)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}

// TestClientAddressThroughProxies: X-Forwarded-For is read only from a
// trusted proxy, and then its right-most address that is not a trusted
// proxy is the client, which the audit log and the per-address rate limit
// both see.
func TestClientAddressThroughProxies(t *testing.T) {
	login := []byte(`{"email":"ann@example.com","password":"right password"}`)
	cases := []struct {
		name    string
		trusted []string
		xff     []string // header lines
		want    string
	}{
		{"no trusted proxies: header ignored", nil, []string{"203.0.113.9"}, "127.0.0.1"},
		{"untrusted peer: spoofed header ignored", []string{"10.0.0.0/8"}, []string{"203.0.113.9"}, "127.0.0.1"},
		{"trusted peer, no header", []string{"127.0.0.1"}, nil, "127.0.0.1"},
		{"trusted peer", []string{"127.0.0.1"}, []string{"203.0.113.9"}, "203.0.113.9"},
		{"client-written entries left of the real client", []string{"127.0.0.1"},
			[]string{"198.51.100.66, 192.0.2.1, 203.0.113.9"}, "203.0.113.9"},
		{"a chain of trusted proxies", []string{"127.0.0.0/8", "10.0.0.0/8"},
			[]string{"198.51.100.66, 203.0.113.9, 10.1.2.3", "10.9.9.9"}, "203.0.113.9"},
		{"a port and IPv6", []string{"127.0.0.1"}, []string{"[2001:db8::7]:4711"}, "2001:db8::7"},
		{"garbage stops at the last trusted hop", []string{"127.0.0.1", "10.0.0.0/8"},
			[]string{"203.0.113.9, not-an-address, 10.1.2.3"}, "10.1.2.3"},
		{"every hop trusted", []string{"127.0.0.1", "10.0.0.0/8"}, []string{"10.1.2.3"}, "10.1.2.3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeIdentity{}
			lim := &countLimiter{n: 100, seen: map[string]int{}}
			ts := newTestServerWith(t, Config{TrustedProxies: tc.trusted, IPRate: 10, IPBurst: 10}, func(d *Deps) {
				d.Auth = identityAuth{}
				d.Identity = f
				d.Limiter = lim
			})
			var headers []string
			for _, v := range tc.xff {
				headers = append(headers, "X-Forwarded-For: "+v)
			}
			c := dialRaw(t, ts)
			head := "POST /v1/auth/login HTTP/1.1\r\nHost: gallant\r\nContent-Type: application/json\r\nContent-Length: " +
				strconv.Itoa(len(login)) + "\r\n"
			for _, h := range headers {
				head += h + "\r\n"
			}
			if _, err := io.WriteString(c, head+"\r\n"+string(login)); err != nil {
				t.Fatal(err)
			}
			if a, err := readAnswer(c, 5*time.Second); err != nil || a.code != http.StatusOK {
				t.Fatalf("login: %d %s %v", a.code, a.body, err)
			}
			if got := f.lastIP(); got != tc.want {
				t.Errorf("audit address %q, want %q", got, tc.want)
			}
			wantKey := "ip:" + tc.want
			if a := netip.MustParseAddr(tc.want); a.Is6() {
				wantKey = "ip:" + netip.PrefixFrom(a, 64).Masked().String()
			}
			lim.mu.Lock()
			defer lim.mu.Unlock()
			if lim.seen[wantKey] != 1 || len(lim.seen) != 1 {
				t.Errorf("rate limit keys %v, want %s once", lim.seen, wantKey)
			}
		})
	}
}

func TestForwardedClient(t *testing.T) {
	trusted := func(list ...string) func(netip.Addr) bool {
		ps, err := parseTrusted(list)
		if err != nil {
			t.Fatal(err)
		}
		return func(a netip.Addr) bool {
			for _, p := range ps {
				if p.Contains(a) {
					return true
				}
			}
			return false
		}
	}
	peer := netip.MustParseAddr("10.0.0.1")
	for _, tc := range []struct {
		values []string
		want   string
	}{
		{nil, "10.0.0.1"},
		{[]string{""}, "10.0.0.1"},
		{[]string{" , ,"}, "10.0.0.1"},
		{[]string{"192.0.2.1"}, "192.0.2.1"},
		{[]string{"192.0.2.1,192.0.2.2"}, "192.0.2.2"},
		{[]string{"192.0.2.1", "10.0.0.2"}, "192.0.2.1"},
		{[]string{"::ffff:192.0.2.1"}, "192.0.2.1"},
		{[]string{"fe80::1%eth0"}, "fe80::1"},
		{[]string{"192.0.2.1:80"}, "192.0.2.1"},
		{[]string{"unknown"}, "10.0.0.1"},
		{[]string{"192.0.2.1, 10.0.0.9, [::1]:x"}, "10.0.0.1"},
		{[]string{strings.Repeat("1", 200)}, "10.0.0.1"},
	} {
		vals := make([][]byte, len(tc.values))
		for i, v := range tc.values {
			vals[i] = []byte(v)
		}
		if got := forwardedClient(peer, vals, trusted("10.0.0.0/8")); got.String() != tc.want {
			t.Errorf("%q: %s, want %s", tc.values, got, tc.want)
		}
	}
}

func TestTrustedProxiesConfig(t *testing.T) {
	ps, err := parseTrusted([]string{"192.0.2.1", " 10.0.0.0/8 ", "2001:db8::/32", "::ffff:172.16.0.0/108", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"192.0.2.1/32", "10.0.0.0/8", "2001:db8::/32", "172.16.0.0/12", "::1/128"}
	for i, p := range ps {
		if p.String() != want[i] {
			t.Errorf("entry %d: %s, want %s", i, p, want[i])
		}
	}
	for _, bad := range []string{"", "10.0.0.0/33", "example.com", "10.0.0.1/8/8"} {
		if err := (Config{TrustedProxies: []string{bad}}).Validate(); err == nil {
			t.Errorf("trusted proxy %q accepted", bad)
		}
	}
}

// testCert returns a certificate for 127.0.0.1 and a pool that trusts it.
func testCert(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "gallant api test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// TestTLS: with Config.TLS the server speaks HTTPS, TLS 1.2 or later
// only, and still refuses bodies and connections over the limits.
func TestTLS(t *testing.T) {
	cert, pool := testCert(t)
	cfg := Config{MaxConnsPerIP: 2, TLS: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	ts := newTestServerWith(t, cfg, nil)
	// newTestServerWith's URL and client speak plain HTTP.
	addr := strings.TrimPrefix(ts.base, "http://")
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, MaxIdleConnsPerHost: 1}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	resp, err := client.Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
		t.Fatalf("https: %d, TLS %+v", resp.StatusCode, resp.TLS)
	}
	req, _ := http.NewRequest("POST", "https://"+addr+"/v1/messages", strings.NewReader(`{"to":"+447700900123","text":"over TLS"}`))
	req.Header.Set("Authorization", "Bearer "+keySend)
	if resp, err := client.Do(req); err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("send over TLS: %v %v", resp, err)
	} else {
		_ = resp.Body.Close()
	}

	// TLS 1.1 is refused in the handshake.
	old, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr,
		&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11})
	if err == nil {
		_ = old.Close()
		t.Fatal("a TLS 1.1 handshake succeeded")
	}
	// Plain HTTP gets no HTTP answer.
	c := dialRaw(t, &testServer{base: ts.base})
	if a, err := sendHead(c, "GET", "/healthz", ""); err == nil && a.code == http.StatusOK {
		t.Fatal("plain HTTP served on the TLS listener")
	}
	_ = c.Close()

	// A body over the unauthenticated limit: 413 over TLS too.
	tc, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	if a, err := sendHead(tc, "POST", "/v1/messages", "", "Content-Length: 1048576"); err != nil || a.code != http.StatusRequestEntityTooLarge {
		t.Fatalf("large body over TLS: %d %v", a.code, err)
	}
}

func TestTLSConfigValidated(t *testing.T) {
	cert, _ := testCert(t)
	for name, c := range map[string]*tls.Config{
		"no certificate":  {MinVersion: tls.VersionTLS12},
		"TLS 1.0 allowed": {Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS10},
		"no minimum":      {Certificates: []tls.Certificate{cert}},
	} {
		if err := (Config{TLS: c}).Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := (Config{TLS: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13}}).Validate(); err != nil {
		t.Errorf("TLS 1.3 only: %v", err)
	}
}
