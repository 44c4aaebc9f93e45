package query

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// PuppetDBOptions configures a PuppetDBClient.
type PuppetDBOptions struct {
	URL      string        // base URL, e.g. "https://puppetdb.example.org:8081"
	CAFile   string        // PEM CA bundle to verify the server; "" uses the system roots
	CertFile string        // PEM client certificate (with KeyFile) for mutual TLS; "" for none
	KeyFile  string        // PEM private key of CertFile
	Timeout  time.Duration // deadline of each request; 0 means DefaultPuppetDBTimeout
}

// DefaultPuppetDBTimeout is the request deadline when none is configured.
const DefaultPuppetDBTimeout = 30 * time.Second

// maxPuppetDBResponse bounds the size of a PuppetDB answer.
const maxPuppetDBResponse = 256 << 20

// PuppetDBClient answers P{} blocks over PuppetDB's v4 HTTP API.
type PuppetDBClient struct {
	endpoint string
	client   *http.Client
	timeout  time.Duration
}

// NewPuppetDBClient checks opts and loads the TLS material it names.
func NewPuppetDBClient(opts PuppetDBOptions) (*PuppetDBClient, error) {
	base := strings.TrimRight(opts.URL, "/")
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return nil, fmt.Errorf("puppetdb: URL %q: expected http:// or https://", opts.URL)
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if opts.CAFile != "" {
		pem, err := os.ReadFile(opts.CAFile)
		if err != nil {
			return nil, fmt.Errorf("puppetdb: CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("puppetdb: CA file %s: no PEM certificate", opts.CAFile)
		}
		tlsConf.RootCAs = pool
	}
	if (opts.CertFile == "") != (opts.KeyFile == "") {
		return nil, errors.New("puppetdb: a client certificate needs both a cert file and a key file")
	}
	if opts.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(opts.CertFile, opts.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("puppetdb: client certificate: %w", err)
		}
		tlsConf.Certificates = []tls.Certificate{cert}
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultPuppetDBTimeout
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = tlsConf
	return &PuppetDBClient{
		endpoint: base + "/pdb/query/v4",
		client:   &http.Client{Transport: transport, Timeout: timeout},
		timeout:  timeout,
	}, nil
}

// Query posts pql to /pdb/query/v4 and returns the certnames of the
// answer, in order without duplicates.
func (c *PuppetDBClient) Query(ctx context.Context, pql string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	body, err := json.Marshal(map[string]string{"query": pql})
	if err != nil {
		return nil, fmt.Errorf("puppetdb: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("puppetdb: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("puppetdb: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxPuppetDBResponse))
	if err != nil {
		return nil, fmt.Errorf("puppetdb %s: reading the answer: %w", c.endpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		msg := strings.TrimSpace(string(data))
		if len(msg) > 300 {
			msg = msg[:300] + "..."
		}
		return nil, fmt.Errorf("puppetdb %s: %s: %s", c.endpoint, resp.Status, msg)
	}
	var rows []struct {
		Certname string `json:"certname"`
	}
	if err := json.Unmarshal(data, &rows); err != nil {
		return nil, fmt.Errorf("puppetdb %s: decoding the answer: %w", c.endpoint, err)
	}
	seen := make(map[string]bool, len(rows))
	names := make([]string, 0, len(rows))
	for _, r := range rows {
		if r.Certname == "" || seen[r.Certname] {
			continue
		}
		seen[r.Certname] = true
		names = append(names, r.Certname)
	}
	return names, nil
}
