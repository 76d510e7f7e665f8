package persist

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCaptureKeepsPersistChallengesAndHandsLegoTheSameBytes(t *testing.T) {
	authz := `{"status":"pending","identifier":{"type":"dns","value":"a.example"},"challenges":[` +
		`{"type":"http-01","url":"https://ca/chall/1","token":"t"},` +
		`{"type":"dns-persist-01","url":"https://ca/chall/2","accounturi":"https://ca/acct/1","issuer-domain-names":["ca.example"]}]}`

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "2")
		_, _ = io.WriteString(w, authz)
	}))
	defer srv.Close()

	c := newCapture(srv.Client().Transport)
	client := &http.Client{Transport: c}

	resp, err := client.Post(srv.URL+"/authz/1", "application/jose+json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}

	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()

	if err != nil || string(body) != authz {
		t.Fatalf("lego would read %q, %v", body, err)
	}

	raw, authzURL, ok := c.challenge("https://ca/chall/2")
	if !ok || !strings.Contains(string(raw), "issuer-domain-names") || authzURL != srv.URL+"/authz/1" {
		t.Errorf("persist challenge not kept: %s %s %v", raw, authzURL, ok)
	}

	if _, _, ok := c.challenge("https://ca/chall/1"); ok {
		t.Error("http-01 challenge kept; only dns-persist-01 ones are needed")
	}

	if got := c.lastRetryAfter(srv.URL + "/authz/1"); got != "2" {
		t.Errorf("Retry-After %q", got)
	}

	c.forget("https://ca/chall/2", srv.URL+"/authz/1")

	if _, _, ok := c.challenge("https://ca/chall/2"); ok || c.lastRetryAfter(srv.URL+"/authz/1") != "" {
		t.Error("forget kept state")
	}
}

func TestCaptureLeavesNonJSONAlone(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/pem-certificate-chain")
		_, _ = io.WriteString(w, "-----BEGIN CERTIFICATE-----")
	}))
	defer srv.Close()

	c := newCapture(srv.Client().Transport)

	resp, err := (&http.Client{Transport: c}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}

	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()

	if string(body) != "-----BEGIN CERTIFICATE-----" {
		t.Errorf("body changed: %q", body)
	}
}
