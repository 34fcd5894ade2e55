package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestClassify covers every range the policy refuses, in IPv4, in
// IPv4-mapped IPv6, in NAT64 (well-known prefix) and in 6to4 form, and
// public addresses in each form that must pass.
func TestClassify(t *testing.T) {
	// One address in each refused IPv4 range (first, inner and last
	// addresses of some), and the reason.
	refused4 := []struct{ addr, reason string }{
		{"0.0.0.0", ReasonUnspecified},
		{"0.1.2.3", ReasonReserved},
		{"0.255.255.255", ReasonReserved},
		{"10.0.0.0", ReasonPrivate},
		{"10.255.255.255", ReasonPrivate},
		{"100.64.0.1", ReasonCGNAT},
		{"100.127.255.254", ReasonCGNAT},
		{"127.0.0.1", ReasonLoopback},
		{"127.255.255.254", ReasonLoopback},
		{"169.254.169.254", ReasonLinkLocal},
		{"169.254.0.1", ReasonLinkLocal},
		{"172.16.0.1", ReasonPrivate},
		{"172.31.255.255", ReasonPrivate},
		{"192.0.0.8", ReasonReserved},
		{"192.0.2.10", ReasonDocumentation},
		{"192.88.99.1", ReasonReserved},
		{"192.168.1.1", ReasonPrivate},
		{"198.18.0.1", ReasonReserved},
		{"198.19.255.255", ReasonReserved},
		{"198.51.100.7", ReasonDocumentation},
		{"203.0.113.9", ReasonDocumentation},
		{"224.0.0.1", ReasonMulticast},
		{"239.255.255.250", ReasonMulticast},
		{"240.0.0.1", ReasonReserved},
		{"255.255.255.254", ReasonReserved},
		{"255.255.255.255", ReasonBroadcast},
	}
	for _, c := range refused4 {
		a := netip.MustParseAddr(c.addr)
		b := a.As4()
		forms := map[string]string{
			"ipv4":        c.addr,
			"ipv4-mapped": "::ffff:" + c.addr,
			"nat64":       fmt.Sprintf("64:ff9b::%02x%02x:%02x%02x", b[0], b[1], b[2], b[3]),
			"6to4":        fmt.Sprintf("2002:%02x%02x:%02x%02x::1", b[0], b[1], b[2], b[3]),
		}
		for form, s := range forms {
			if got := classify(netip.MustParseAddr(s)); got != c.reason {
				t.Errorf("classify(%s) (%s of %s) = %q, want %q", s, form, c.addr, got, c.reason)
			}
		}
	}
	refused6 := []struct{ addr, reason string }{
		{"::", ReasonUnspecified},
		{"::1", ReasonLoopback},
		{"fe80::1", ReasonLinkLocal},
		{"fe80::1%eth0", ReasonLinkLocal},
		{"febf:ffff::1", ReasonLinkLocal},
		{"fc00::1", ReasonULA},
		{"fd12:3456:789a::1", ReasonULA},
		{"ff02::1", ReasonMulticast},
		{"ff0e::1", ReasonMulticast},
		{"64:ff9b:1::a00:1", ReasonNAT64},
		{"64:ff9b:1:ffff::808:808", ReasonNAT64},
		{"2001:db8::1", ReasonDocumentation},
		{"3fff::1", ReasonDocumentation},
		{"2001::1", ReasonReserved},     // Teredo
		{"2001:2::1", ReasonReserved},   // benchmarking
		{"::127.0.0.1", ReasonReserved}, // IPv4-compatible, deprecated
		{"::8.8.8.8", ReasonReserved},   // IPv4-compatible, deprecated
		{"100::1", ReasonReserved},      // discard-only
		{"fec0::1", ReasonReserved},     // site-local, deprecated
		{"5f00::1", ReasonReserved},     // SRv6 SIDs
		{"4000::1", ReasonReserved},     // unassigned
		{"::ffff:0.0.0.0", ReasonUnspecified},
	}
	for _, c := range refused6 {
		if got := classify(netip.MustParseAddr(c.addr)); got != c.reason {
			t.Errorf("classify(%s) = %q, want %q", c.addr, got, c.reason)
		}
	}
	public := []string{
		"1.1.1.1", "8.8.8.8", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255",
		"128.0.0.0", "169.253.255.255", "172.15.255.255", "172.32.0.0", "192.0.1.255", "192.167.255.255",
		"192.169.0.0", "198.17.255.255", "198.20.0.0", "223.255.255.255",
		"::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1",
		"2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "2001:4860:4860::8888",
	}
	for _, s := range public {
		if got := classify(netip.MustParseAddr(s)); got != "" {
			t.Errorf("classify(%s) = %q, want public", s, got)
		}
	}
}

// TestCheckURL: the one URL validator, without DNS.
func TestCheckURL(t *testing.T) {
	reg := prometheus.NewRegistry()
	g, err := NewGuard(AddressPolicy{}, reg)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		url    string
		reason string // "" accepted
	}{
		{"https://hooks.example.com/sms", ""},
		{"http://hooks.example.com:8080/x?token=1#f", ""},
		{"HTTPS://Hooks.Example.COM./x", ""},
		{"https://bücher.example/x", ""},
		{"http://8.8.8.8/x", ""},
		{"http://[2606:4700:4700::1111]:443/x", ""},
		{"http://[::ffff:8.8.8.8]/", ""},
		{"", ReasonMalformed},
		{"https://hooks.example/" + strings.Repeat("a", MaxURLLength), ReasonTooLong},
		{"ftp://hooks.example/x", ReasonScheme},
		{"gopher://hooks.example:70/x", ReasonScheme},
		{"file:///etc/passwd", ReasonScheme},
		{"//hooks.example/x", ReasonScheme},
		{"/x", ReasonScheme},
		{"http:hooks.example", ReasonMalformed},
		{"http://hooks.example:0/", ReasonMalformed},
		{"http://hooks.example:65536/", ReasonMalformed},
		{"http://hooks.example:99999999999999999999/", ReasonMalformed},
		{"http://[::1/x", ReasonMalformed},
		{"http://hooks.example/\x7f", ReasonMalformed},
		{"http://ho%2fks.example/", ReasonMalformed},
		{"http://user@hooks.example/", ReasonUserinfo},
		{"http://user:pw@hooks.example/", ReasonUserinfo},
		{"http:///x", ReasonNoHost},
		{"http://:80/x", ReasonNoHost},
		{"http://127.0.0.1:8080/", ReasonLoopback},
		{"http://127.1.2.3/", ReasonLoopback},
		{"http://[::1]:6379/", ReasonLoopback},
		{"http://[::ffff:127.0.0.1]/", ReasonLoopback},
		{"http://[::ffff:7f00:1]/", ReasonLoopback},
		{"http://[64:ff9b::7f00:1]/", ReasonLoopback},
		{"http://[64:ff9b::a9fe:a9fe]/latest/meta-data/", ReasonLinkLocal},
		{"http://[64:ff9b:1::1]/", ReasonNAT64},
		{"http://169.254.169.254/latest/meta-data/", ReasonLinkLocal},
		{"http://[fe80::1%25eth0]/", ReasonLinkLocal},
		{"http://10.1.2.3/", ReasonPrivate},
		{"http://172.20.0.1/", ReasonPrivate},
		{"http://192.168.0.10/", ReasonPrivate},
		{"http://100.100.100.200/", ReasonCGNAT},
		{"http://[fd00::1]/", ReasonULA},
		{"http://224.0.0.251/", ReasonMulticast},
		{"http://0.0.0.0:8080/", ReasonUnspecified},
		{"http://[::]/", ReasonUnspecified},
		{"http://255.255.255.255/", ReasonBroadcast},
		{"http://localhost:8080/", ReasonLocalName},
		{"http://LOCALHOST./", ReasonLocalName},
		{"http://api.localhost/", ReasonLocalName},
		{"http://ip6-localhost/", ReasonLocalName},
		{"http://2130706433/", ReasonNumericHost},
		{"http://0x7f000001/", ReasonNumericHost},
		{"http://127.1/", ReasonNumericHost},
		{"http://0177.0.0.1/", ReasonNumericHost},
		{"http://0x7f.0x0.0x0.0x1/", ReasonNumericHost},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			err := g.CheckURL(c.url)
			if c.reason == "" {
				if err != nil {
					t.Fatalf("CheckURL = %v, want nil", err)
				}
				return
			}
			var ue *URLError
			if !errors.As(err, &ue) {
				t.Fatalf("CheckURL = %v, want a *URLError", err)
			}
			if ue.Reason != c.reason {
				t.Fatalf("CheckURL = %v (reason %q), want reason %q", err, ue.Reason, c.reason)
			}
			if strings.Contains(ue.Detail, "meta-data") || strings.Contains(ue.Detail, "token") {
				t.Fatalf("detail %q repeats the URL's path", ue.Detail)
			}
		})
	}
	if v := metricValue(t, reg, "gallant_webhook_url_refused_total", map[string]string{"stage": "entry", "reason": ReasonLoopback}); v != 6 {
		t.Errorf("url_refused_total{entry,loopback} = %v, want 6", v)
	}
}

// TestAllowPrivateAndHosts: allow_private lets everything through (but
// not malformed URLs); allow_hosts names, addresses and prefixes let their
// receivers through and nothing else.
func TestAllowPrivateAndHosts(t *testing.T) {
	open, err := NewGuard(AddressPolicy{AllowPrivate: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"http://127.0.0.1:8080/", "http://localhost/", "http://[::1]/", "http://169.254.169.254/"} {
		if err := open.CheckURL(u); err != nil {
			t.Errorf("allow_private: CheckURL(%s) = %v", u, err)
		}
	}
	if err := open.CheckURL("ftp://127.0.0.1/"); !errors.Is(err, ErrBadURL) {
		t.Errorf("allow_private: CheckURL(ftp) = %v, want ErrBadURL", err)
	}
	g, err := NewGuard(AddressPolicy{AllowHosts: []string{"Hooks.Internal.", "10.1.0.0/16", "192.168.7.7", "fd00:1::/32", "localhost"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for u, ok := range map[string]bool{
		"https://hooks.internal/x":    true,
		"https://HOOKS.INTERNAL./x":   true,
		"https://other.internal/x":    true, // a name is not refused without DNS
		"http://localhost:9/":         true,
		"http://10.1.2.3/":            true,
		"http://10.2.0.1/":            false,
		"http://192.168.7.7/":         true,
		"http://[::ffff:192.168.7.7]": true,
		"http://192.168.7.8/":         false,
		"http://[fd00:1::5]/":         true,
		"http://[fd00:2::5]/":         false,
		"http://127.0.0.1/":           false,
	} {
		if err := g.CheckURL(u); (err == nil) != ok {
			t.Errorf("CheckURL(%s) = %v, want allowed %v", u, err, ok)
		}
	}
}

func TestAddressPolicyValidate(t *testing.T) {
	good := AddressPolicy{AllowHosts: []string{"hooks.internal", "hooks.internal.", "10.0.0.0/8", "192.168.1.5", "fd00::/8", "::1", "under_score.example"}}
	if err := good.Validate(); err != nil {
		t.Fatalf("Validate = %v", err)
	}
	for _, h := range []string{"", "http://hooks.internal", "hooks internal", "10.0.0.0/33", "fe80::1%eth0", "a..b", "*.internal", "host:8080"} {
		if err := (AddressPolicy{AllowHosts: []string{h}}).Validate(); err == nil {
			t.Errorf("Validate accepted allow_hosts entry %q", h)
		}
		if _, err := New(Config{Policy: AddressPolicy{AllowHosts: []string{h}}}, nil, nil, nil); err == nil {
			t.Errorf("New accepted allow_hosts entry %q", h)
		}
	}
}

// fakeDNS resolves the names it holds and no others.
func fakeDNS(names map[string][]string) func(context.Context, string, string) ([]netip.Addr, error) {
	return func(_ context.Context, _, host string) ([]netip.Addr, error) {
		addrs, ok := names[host]
		if !ok {
			return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		}
		out := make([]netip.Addr, len(addrs))
		for i, a := range addrs {
			out[i] = netip.MustParseAddr(a)
		}
		return out, nil
	}
}

// TestCheckStoredURL: a stored URL's host name is resolved, and refused
// when any of its addresses is refused or it does not resolve.
func TestCheckStoredURL(t *testing.T) {
	reg := prometheus.NewRegistry()
	g, err := NewGuard(AddressPolicy{AllowHosts: []string{"allowed.internal", "10.9.0.0/16"}}, reg)
	if err != nil {
		t.Fatal(err)
	}
	g.lookup = fakeDNS(map[string][]string{
		"public.example":   {"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"},
		"metadata.example": {"169.254.169.254"},
		"mixed.example":    {"93.184.215.14", "10.0.0.5"},
		"mapped.example":   {"::ffff:127.0.0.1"},
		"nat64.example":    {"64:ff9b::a00:1"},
		"allowed.internal": {"10.0.0.7"},
		"office.internal":  {"10.9.1.1"},
	})
	ctx := context.Background()
	cases := []struct {
		url, reason string
	}{
		{"https://public.example/hook", ""},
		{"https://allowed.internal/hook", ""},
		{"https://office.internal/hook", ""},
		{"http://93.184.215.14/hook", ""},
		{"https://metadata.example/latest/meta-data/", ReasonLinkLocal},
		{"https://mixed.example/hook", ReasonPrivate},
		{"https://mapped.example/hook", ReasonLoopback},
		{"https://nat64.example/hook", ReasonPrivate},
		{"https://nowhere.example/hook", ReasonUnresolved},
		{"http://localhost/hook", ReasonLocalName},
		{"http://[::1]:6379/", ReasonLoopback},
	}
	for _, c := range cases {
		err := g.CheckStoredURL(ctx, c.url)
		var ue *URLError
		switch {
		case c.reason == "" && err != nil:
			t.Errorf("CheckStoredURL(%s) = %v, want nil", c.url, err)
		case c.reason != "" && (!errors.As(err, &ue) || ue.Reason != c.reason):
			t.Errorf("CheckStoredURL(%s) = %v, want reason %q", c.url, err, c.reason)
		}
	}
	if v := metricValue(t, reg, "gallant_webhook_url_refused_total", map[string]string{"stage": "entry", "reason": ReasonUnresolved}); v != 1 {
		t.Errorf("url_refused_total{entry,unresolved} = %v, want 1", v)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := g.CheckStoredURL(cctx, "https://public.example/hook"); !errors.Is(err, context.Canceled) {
		t.Errorf("CheckStoredURL with a cancelled context = %v, want context.Canceled", err)
	}
}

// portOf returns the port of an httptest server's URL.
func portOf(tb testing.TB, raw string) string {
	tb.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		tb.Fatal(err)
	}
	return u.Port()
}

// TestDialRefusesRebinding: a name that passes the check at entry (no
// lookup there) but resolves to loopback when the callback is posted is
// refused by the dialer, after resolution: the receiver listening there
// is never reached, the attempt fails and the refusal is counted.
func TestDialRefusesRebinding(t *testing.T) {
	rc := newReceiver(t, always(http.StatusNoContent))
	rec := newFakeRecorder()
	cfg := fast()
	cfg.Policy = AddressPolicy{}
	cfg.MaxAttempts = 2
	reg := prometheus.NewRegistry()
	d, err := New(cfg, rec, nil, reg)
	if err != nil {
		t.Fatal(err)
	}
	// Public when checked, loopback when dialled: each lookup of the
	// dialer answers the receiver's address.
	d.Guard().lookup = fakeDNS(map[string][]string{"rebind.example": {"127.0.0.1", "::ffff:127.0.0.1", "64:ff9b::7f00:1"}})
	d.Start()
	t.Cleanup(func() { _, _ = d.Stop(context.Background()) })
	u := "http://rebind.example:" + portOf(t, rc.URL) + "/hook"
	if err := d.Guard().CheckURL(u); err != nil {
		t.Fatalf("CheckURL(%s) = %v: the name must pass the check without lookup", u, err)
	}
	if err := d.Enqueue(testDelivery(u, 1)); err != nil {
		t.Fatal(err)
	}
	as := rec.waitFor(t, "the delivery given up", func(as []Attempt) bool { return finished(as) == 1 })
	if len(as) != 1 || !as[0].GaveUp {
		t.Errorf("attempts %+v: a refused address is final, want one attempt given up", as)
	}
	for _, a := range as {
		if a.Delivered || a.StatusCode != 0 || !strings.Contains(a.Err, "loopback") {
			t.Errorf("attempt %+v: want a refused dial naming a loopback address", a)
		}
	}
	if n := len(rc.requests()); n != 0 {
		t.Fatalf("the loopback receiver got %d requests", n)
	}
	if v := metricValue(t, reg, "gallant_webhook_url_refused_total", map[string]string{"stage": "dial", "reason": ReasonLoopback}); v != 3 {
		t.Errorf("url_refused_total{dial,loopback} = %v, want 3 (3 addresses, 1 attempt)", v)
	}
	if err := d.Guard().CheckStoredURL(context.Background(), u); err == nil {
		t.Error("CheckStoredURL accepted a name resolving to loopback")
	}
}

// TestClientRefusesLiterals: the shared client refuses private IP
// literals by itself, without any check at entry, and a proxy set in the
// environment is not used.
func TestClientRefusesLiterals(t *testing.T) {
	rc := newReceiver(t, always(http.StatusNoContent))
	reg := prometheus.NewRegistry()
	g, err := NewGuard(AddressPolicy{}, reg)
	if err != nil {
		t.Fatal(err)
	}
	c := g.NewClient(waitLimit)
	defer c.CloseIdleConnections()
	port := portOf(t, rc.URL)
	for _, host := range []string{"127.0.0.1", "[::ffff:127.0.0.1]", "localhost"} {
		resp, err := c.Post("http://"+host+":"+port+"/", ContentType, strings.NewReader("{}"))
		if err == nil {
			resp.Body.Close()
			t.Errorf("POST to %s succeeded: status %d", host, resp.StatusCode)
			continue
		}
		if !errors.Is(err, ErrHostNotAllowed) {
			t.Errorf("POST to %s: %v, want a refusal", host, err)
		}
	}
	if n := len(rc.requests()); n != 0 {
		t.Fatalf("the receiver got %d requests", n)
	}
	if v := metricValue(t, reg, "gallant_webhook_url_refused_total", map[string]string{"stage": "dial"}); v < 2 {
		t.Errorf("url_refused_total{dial} = %v, want at least 2", v)
	}
	if tr := g.NewTransport(1, waitLimit); tr.Proxy != nil {
		t.Error("the transport takes a proxy: a proxy would connect out of the guard's sight")
	}
}

// TestDialControl: the last check, on the address a socket is about to
// connect to.
func TestDialControl(t *testing.T) {
	g, err := NewGuard(AddressPolicy{AllowHosts: []string{"10.5.0.0/16"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := &dialer{g: g}
	for addr, ok := range map[string]bool{
		"127.0.0.1:80":             false,
		"[::1]:80":                 false,
		"[::ffff:127.0.0.1]:80":    false,
		"[64:ff9b::a9fe:a9fe]:80":  false,
		"169.254.169.254:80":       false,
		"[fe80::1%lo]:80":          false,
		"10.4.0.1:443":             false,
		"10.5.0.1:443":             true,
		"8.8.8.8:443":              true,
		"[2606:4700::1111]:443":    true,
		"[::ffff:8.8.8.8]:443":     true,
		"[64:ff9b::808:808]:443":   true,
		"[64:ff9b:1::808:808]:443": false,
	} {
		err := d.control("tcp", addr, nil)
		if (err == nil) != ok {
			t.Errorf("control(%s) = %v, want allowed %v", addr, err, ok)
		}
	}
}

// TestRedirectToPrivateNotFollowed: a receiver allowed by name answers
// with a redirect to another loopback receiver; the dispatcher and the
// shared client hand the 3xx back instead of following it.
func TestRedirectToPrivateNotFollowed(t *testing.T) {
	target := newReceiver(t, always(http.StatusNoContent))
	rc := newReceiver(t, func(int, *http.Request) answer {
		return answer{status: http.StatusTemporaryRedirect, header: http.Header{"Location": {target.URL + "/stolen"}}}
	})
	rec := newFakeRecorder()
	cfg := fast()
	cfg.Policy = AddressPolicy{AllowHosts: []string{"receiver.test"}}
	d, err := New(cfg, rec, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.Guard().lookup = fakeDNS(map[string][]string{"receiver.test": {"127.0.0.1"}})
	d.Start()
	t.Cleanup(func() { _, _ = d.Stop(context.Background()) })
	if err := d.Enqueue(testDelivery("http://receiver.test:"+portOf(t, rc.URL)+"/hook", 1)); err != nil {
		t.Fatal(err)
	}
	as := rec.waitFor(t, "the delivery finished", func(as []Attempt) bool { return finished(as) == 1 })
	if len(as) != 1 || as[0].StatusCode != http.StatusTemporaryRedirect || !as[0].GaveUp {
		t.Fatalf("attempts %+v: want one, answered 307 and final", as)
	}
	if n := len(rc.requests()); n != 1 {
		t.Fatalf("the receiver got %d requests, want 1", n)
	}

	c := d.Guard().NewClient(waitLimit)
	defer c.CloseIdleConnections()
	resp, err := c.Post("http://receiver.test:"+portOf(t, rc.URL)+"/hook", ContentType, strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect {
		t.Fatalf("shared client: status %d, want the 307 itself", resp.StatusCode)
	}
	if n := len(target.requests()); n != 0 {
		t.Fatalf("the redirect target got %d requests", n)
	}
}

// TestAllowHostsDeliver: receivers on loopback listed in allow_hosts, by
// address, by prefix or by name, get their callbacks under an otherwise
// default policy; one not listed does not.
func TestAllowHostsDeliver(t *testing.T) {
	rc := newReceiver(t, always(http.StatusNoContent))
	port := portOf(t, rc.URL)
	for _, c := range []struct {
		allow     []string
		host      string
		delivered bool
	}{
		{[]string{"127.0.0.1"}, "127.0.0.1", true},
		{[]string{"127.0.0.0/8"}, "127.0.0.1", true},
		{[]string{"hooks.internal"}, "hooks.internal", true},
		{[]string{"127.0.0.1"}, "hooks.internal", true}, // by the address it resolves to
		{[]string{"10.0.0.0/8"}, "hooks.internal", false},
	} {
		t.Run(strings.Join(c.allow, ",")+"/"+c.host, func(t *testing.T) {
			rec := newFakeRecorder()
			cfg := fast()
			cfg.Policy = AddressPolicy{AllowHosts: c.allow}
			cfg.MaxAttempts = 1
			d, err := New(cfg, rec, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			d.Guard().lookup = fakeDNS(map[string][]string{"hooks.internal": {"127.0.0.1"}})
			d.Start()
			t.Cleanup(func() { _, _ = d.Stop(context.Background()) })
			before := len(rc.requests())
			if err := d.Enqueue(testDelivery("http://"+c.host+":"+port+"/hook", 1)); err != nil {
				t.Fatal(err)
			}
			as := rec.waitFor(t, "the delivery finished", func(as []Attempt) bool { return finished(as) == 1 })
			if as[0].Delivered != c.delivered {
				t.Fatalf("attempt %+v: want delivered %v", as[0], c.delivered)
			}
			if got := len(rc.requests()) - before; got != map[bool]int{true: 1, false: 0}[c.delivered] {
				t.Fatalf("the receiver got %d requests", got)
			}
		})
	}
}

// TestGuardsShareTheCounter: guards on one registry (the dispatcher's,
// the alerts') count into one metric.
func TestGuardsShareTheCounter(t *testing.T) {
	reg := prometheus.NewRegistry()
	g1, err := NewGuard(AddressPolicy{}, reg)
	if err != nil {
		t.Fatal(err)
	}
	g2, err := NewGuard(AddressPolicy{}, reg)
	if err != nil {
		t.Fatal(err)
	}
	_ = g1.CheckURL("http://10.0.0.1/")
	_ = g2.CheckURL("http://10.0.0.2/")
	if v := metricValue(t, reg, "gallant_webhook_url_refused_total", map[string]string{"stage": "entry", "reason": ReasonPrivate}); v != 2 {
		t.Errorf("url_refused_total{entry,private} = %v, want 2", v)
	}
}

// BenchmarkCheckURL is the check every message with a callback_url pays.
func BenchmarkCheckURL(b *testing.B) {
	g, err := NewGuard(AddressPolicy{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := g.CheckURL("https://hooks.example.com/sms/status?account=42"); err != nil {
			b.Fatal(err)
		}
	}
}
