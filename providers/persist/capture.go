package persist

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"sync"
)

// maxCapturedBody bounds what the capture keeps of one ACME response. ACME
// objects are a few KiB; anything larger is passed through unread.
const maxCapturedBody = 1 << 20

// capture is an http.RoundTripper that keeps the raw JSON of the ACME
// objects lego v4 decodes into structs without the dns-persist-01 fields
// (issuer-domain-names, accounturi, issuerDomainNames) and the Retry-After
// headers lego does not surface for authorizations.
//
// It is installed on a copy of the caller's http.Client, used only by the
// core that Enable creates; the caller's client is left untouched. Reading
// the bytes lego itself receives, instead of fetching objects a second time,
// costs no extra request and sees exactly what the CA said.
type capture struct {
	next http.RoundTripper

	mu         sync.Mutex
	directory  []byte
	challenges map[string]json.RawMessage // challenge URL -> raw challenge object
	authzOf    map[string]string          // challenge URL -> authorization URL
	retryAfter map[string]string          // request URL -> last Retry-After header
}

func newCapture(next http.RoundTripper) *capture {
	if next == nil {
		next = http.DefaultTransport
	}

	return &capture{
		next:       next,
		challenges: make(map[string]json.RawMessage),
		authzOf:    make(map[string]string),
		retryAfter: make(map[string]string),
	}
}

// RoundTrip implements http.RoundTripper.
func (c *capture) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil || resp == nil || resp.Body == nil {
		return resp, err
	}

	if !isJSON(resp.Header.Get("Content-Type")) || resp.ContentLength > maxCapturedBody {
		return resp, nil
	}

	body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxCapturedBody+1))
	_ = resp.Body.Close()

	// Hand lego exactly the bytes that were read, and the read error if any.
	resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{readErr}))

	if readErr == nil && len(body) <= maxCapturedBody {
		c.record(req, resp, body)
	}

	return resp, nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}

	return 0, io.EOF
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}

	return mt == "application/json" || mt == "application/problem+json"
}

func (c *capture) record(req *http.Request, resp *http.Response, body []byte) {
	reqURL := req.URL.String()

	var obj struct {
		// directory
		NewOrder string          `json:"newOrder"`
		Meta     json.RawMessage `json:"meta"`
		// authorization
		Challenges []json.RawMessage `json:"challenges"`
		// challenge
		Type string `json:"type"`
		URL  string `json:"url"`
	}

	if err := json.Unmarshal(body, &obj); err != nil {
		return
	}

	c.mu.Lock()
	defer c.mu.Unlock()

	switch {
	case obj.NewOrder != "":
		c.directory = body
	case obj.Challenges != nil:
		for _, raw := range obj.Challenges {
			var ch struct {
				Type string `json:"type"`
				URL  string `json:"url"`
			}
			if json.Unmarshal(raw, &ch) == nil && ch.Type == challengeType && ch.URL != "" {
				c.challenges[ch.URL] = raw
				c.authzOf[ch.URL] = reqURL
			}
		}

		c.noteRetryAfter(reqURL, resp)
	case obj.Type == challengeType && obj.URL != "":
		c.challenges[obj.URL] = json.RawMessage(body)
		c.noteRetryAfter(reqURL, resp)
	}
}

// noteRetryAfter keeps the Retry-After of authorization and challenge
// responses only: those are the ones the solver polls. Callers hold mu.
func (c *capture) noteRetryAfter(reqURL string, resp *http.Response) {
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		c.retryAfter[reqURL] = ra
	} else {
		delete(c.retryAfter, reqURL)
	}
}

func (c *capture) challenge(url string) (json.RawMessage, string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()

	raw, ok := c.challenges[url]

	return raw, c.authzOf[url], ok
}

func (c *capture) directoryJSON() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()

	return c.directory
}

func (c *capture) lastRetryAfter(url string) string {
	c.mu.Lock()
	defer c.mu.Unlock()

	return c.retryAfter[url]
}

// forget drops what was kept for one solved challenge, so a long-running
// process renewing thousands of certificates keeps no history.
func (c *capture) forget(chURL, authzURL string) {
	c.mu.Lock()
	defer c.mu.Unlock()

	delete(c.challenges, chURL)
	delete(c.authzOf, chURL)
	delete(c.retryAfter, authzURL)
	delete(c.retryAfter, chURL)
}
