package main

// The HTTP transport as serve wires it: HTTPS on the API listener,
// metrics on a listener of their own, X-Forwarded-For from trusted
// proxies only, and the http section's limits.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/internal/config"
	"github.com/gallant-sms/gallant/store/storetest"
)

// metrics returns the app's metrics as its metrics listener serves them.
func (a *testApp) metrics(t testing.TB) string {
	t.Helper()
	if a.metricsAddr == nil {
		t.Fatal("the app serves no metrics")
	}
	resp, err := http.Get("http://" + a.metricsAddr.String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d %v", resp.StatusCode, err)
	}
	return string(b)
}

// TestE2EMetricsListener: /metrics is served on the metrics listener and
// only there; the API's port answers it 404. The default listener is on
// loopback.
func TestE2EMetricsListener(t *testing.T) {
	if got := config.Default().Metrics.Listen; got != "127.0.0.1:9464" {
		t.Fatalf("default metrics.listen %q", got)
	}
	a := startApp(t, testConfig(t, storetest.SQLite, newCarrier(t, nil).Addr()))
	if r := a.do(t, http.MethodGet, "/metrics", "", ""); r.status != http.StatusNotFound {
		t.Fatalf("the API port answers /metrics: %d %.200s", r.status, r.body)
	}
	m := a.metrics(t)
	for _, want := range []string{"gallant_http_requests_total{", `gallant_http_refused_total{reason="body_too_large"} 0`,
		"gallant_http_open_connections ", "gallant_gateway_durability_fast 0", "go_goroutines "} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	resp, err := http.Get("http://" + a.metricsAddr.String() + "/v1/messages")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("the metrics listener serves /v1/messages: %d", resp.StatusCode)
	}
}

// writeTestCert writes a certificate for 127.0.0.1 and its key as PEM
// files and returns their paths and a pool that trusts the certificate.
func writeTestCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "gallant e2e"},
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
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestE2EHTTPS: with http.tls_cert and http.tls_key the API speaks HTTPS
// (TLS 1.2 or later) to a real TLS client: a message sent over it is
// delivered; TLS 1.1 and plain HTTP are refused.
func TestE2EHTTPS(t *testing.T) {
	cfg := testConfig(t, storetest.SQLite, newCarrier(t, nil).Addr())
	var pool *x509.CertPool
	cfg.HTTP.TLSCert, cfg.HTTP.TLSKey, pool = writeTestCert(t)
	a := startApp(t, cfg)
	cust := a.customer(t, "Acme", "")
	addr := a.httpAddr.String()

	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	req, err := http.NewRequestWithContext(testContext(t), http.MethodPost, "https://"+addr+"/v1/messages",
		strings.NewReader(`{"to":"447700900123","text":"over https"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+cust.APIKey)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
		t.Fatalf("POST over https: %d %s, TLS %v", resp.StatusCode, body, resp.TLS != nil)
	}
	id := strings.Split(strings.Split(string(body), `"id":"`)[1], `"`)[0]
	eventually(t, "the message delivered, read over https", func() (bool, string) {
		req, _ := http.NewRequestWithContext(testContext(t), http.MethodGet, "https://"+addr+"/v1/messages/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+cust.APIKey)
		resp, err := client.Do(req)
		if err != nil {
			return false, err.Error()
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		return strings.Contains(string(b), `"status":"delivered"`), string(b)
	})

	if c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr,
		&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}); err == nil {
		_ = c.Close()
		t.Fatal("a TLS 1.1 handshake succeeded")
	}
	plain := &http.Client{Timeout: 5 * time.Second}
	if resp, err := plain.Get("http://" + addr + "/healthz"); err == nil {
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatal("plain HTTP served on the HTTPS listener")
		}
	}
}

// TestE2ETrustedProxies: the audit log records the address a trusted
// proxy forwarded, and the connection's peer when the peer is not one
// (however the client spells X-Forwarded-For).
func TestE2ETrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trusted []string
		xff     string
		want    string
	}{
		{"untrusted peer", nil, "198.51.100.7", "127.0.0.1"},
		{"trusted proxy", []string{"127.0.0.1/32", "10.0.0.0/8"}, "192.0.2.99, 198.51.100.7, 10.3.4.5", "198.51.100.7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t, storetest.SQLite, newCarrier(t, nil).Addr())
			cfg.HTTP.TrustedProxies = tc.trusted
			a := startApp(t, cfg)
			cust := a.customer(t, "Acme", "")
			admin, err := a.acc.CreateAPIKey(testContext(t), cust.AccountID, "admin", []string{account.ScopeAdmin})
			if err != nil {
				t.Fatal(err)
			}
			r := a.do(t, http.MethodPost, fmt.Sprintf("/v1/accounts/%d/keys", cust.AccountID), admin,
				`{"name":"ci","scopes":["send"]}`, "X-Forwarded-For", tc.xff)
			if r.status != http.StatusCreated {
				t.Fatalf("create key: %d %s", r.status, r.body)
			}
			entries, err := a.st.ListAudit(testContext(t), cust.AccountID, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range entries {
				if e.Action == "api_key.create" {
					got = append(got, e.IP)
				}
			}
			if len(got) != 1 || got[0] != tc.want {
				t.Fatalf("api_key.create audited from %v, want [%s]", got, tc.want)
			}
		})
	}
}

// TestE2EHTTPLimits: the http section's body and connection limits reach
// the server: a body over http.max_unauthenticated_body is refused at
// once, and connections over http.max_conns_per_ip are closed.
func TestE2EHTTPLimits(t *testing.T) {
	cfg := testConfig(t, storetest.SQLite, newCarrier(t, nil).Addr())
	cfg.HTTP.MaxUnauthenticatedBody = "1KiB"
	cfg.HTTP.MaxConnsPerIP = 2
	a := startApp(t, cfg)
	addr := a.httpAddr.String()
	dial := func() net.Conn {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	status := func(c net.Conn, req string) int {
		if req != "" {
			if _, err := io.WriteString(c, req); err != nil {
				t.Fatal(err)
			}
		}
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		line := make([]byte, 12)
		if _, err := io.ReadFull(c, line); err != nil {
			t.Fatalf("no answer: %v", err)
		}
		n, _ := strconv.Atoi(string(line[9:12]))
		return n
	}
	c := dial()
	if got := status(c, "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n"); got != http.StatusRequestEntityTooLarge {
		t.Fatalf("a 1025-byte login: %d, want 413 before the body", got)
	}
	_ = c.Close()
	eventually(t, "the refused connection closed", func() (bool, string) {
		m := a.metrics(t)
		return strings.Contains(m, "\ngallant_http_open_connections 0\n"), grepMetric(m, "gallant_http_open_connections")
	})
	for range 2 {
		if got := status(dial(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); got != http.StatusOK {
			t.Fatalf("healthz: %d", got)
		}
	}
	if got := status(dial(), ""); got != http.StatusTooManyRequests {
		t.Fatalf("third connection: %d, want 429", got)
	}
	m := a.metrics(t)
	for _, want := range []string{`gallant_http_refused_total{reason="body_too_large"} 1`, `gallant_http_refused_total{reason="conns_per_ip"} 1`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// grepMetric returns the lines of the metrics text m that start with name.
func grepMetric(m, name string) string {
	var out []string
	for _, l := range strings.Split(m, "\n") {
		if strings.HasPrefix(l, name) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
