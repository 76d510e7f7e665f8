package account

import (
	"context"
	"crypto/elliptic"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

// fakeCA answers the directory, newNonce and keyChange; keyChange answers
// with the statuses in order and records the nonces it was sent.
type fakeCA struct {
	srv     *httptest.Server
	answers []func(w http.ResponseWriter)
	calls   atomic.Int32
	nonces  []string
}

func newFakeCA(t *testing.T, answers ...func(w http.ResponseWriter)) *fakeCA {
	t.Helper()

	f := &fakeCA{answers: answers}
	n := atomic.Int32{}

	f.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Replay-Nonce", fmt.Sprintf("nonce-%d", n.Add(1)))

		switch r.URL.Path {
		case "/dir":
			fmt.Fprintf(w, `{"newNonce":%[1]q,"newAccount":%[1]q,"newOrder":%[1]q,"keyChange":%[2]q}`,
				f.srv.URL+"/nonce", f.srv.URL+"/key-change")
		case "/nonce":
		case "/key-change":
			body, _ := io.ReadAll(r.Body)

			jws, err := jose.ParseSignedJSON(string(body), algs)
			if err != nil {
				t.Errorf("keyChange body: %v", err)
			} else {
				f.nonces = append(f.nonces, jws.Signatures[0].Protected.Nonce)
			}

			i := f.calls.Add(1) - 1
			f.answers[i](w)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.srv.Close)

	return f
}

func problem(status int, typ string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"type":%q,"detail":"nope","status":%d}`, typ, status)
	}
}

func ok(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) }

func conflict(w http.ResponseWriter) {
	w.Header().Set("Location", "https://ca.example/acct/other")
	w.WriteHeader(http.StatusConflict)
}

func TestChangeKeyAnswers(t *testing.T) {
	tests := []struct {
		name    string
		answers []func(http.ResponseWriter)
		wantErr func(error) bool
		calls   int32
	}{
		{"accepted", []func(http.ResponseWriter){ok}, func(err error) bool { return err == nil }, 1},
		{"badNonce is retried with the nonce of the answer",
			[]func(http.ResponseWriter){problem(400, "urn:ietf:params:acme:error:badNonce"), ok},
			func(err error) bool { return err == nil }, 2},
		{"409 means the key is another account's", []func(http.ResponseWriter){conflict},
			func(err error) bool { return errors.Is(err, ErrKeyInUse) }, 1},
		{"a refusal carries the CA's problem", []func(http.ResponseWriter){problem(403, "urn:ietf:params:acme:error:unauthorized")},
			func(err error) bool { return err != nil && strings.Contains(err.Error(), "unauthorized :: nope") }, 1},
		{"badNonce is retried a bounded number of times", []func(http.ResponseWriter){
			problem(400, "urn:ietf:params:acme:error:badNonce"),
			problem(400, "urn:ietf:params:acme:error:badNonce"),
			problem(400, "urn:ietf:params:acme:error:badNonce"),
		}, func(err error) bool { return err != nil && strings.Contains(err.Error(), "badNonce") }, keyChangeAttempts},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ca := newFakeCA(t, tc.answers...)
			c := New(ca.srv.Client(), "test", ca.srv.URL+"/dir")

			err := c.ChangeKey(context.Background(), "https://ca.example/acct/1", ecKey(t, elliptic.P256()), ecKey(t, elliptic.P256()))
			if !tc.wantErr(err) {
				t.Errorf("ChangeKey = %v", err)
			}

			if got := ca.calls.Load(); got != tc.calls {
				t.Errorf("keyChange requests = %d, want %d", got, tc.calls)
			}

			seen := map[string]bool{}
			for _, n := range ca.nonces {
				if n == "" || seen[n] {
					t.Errorf("nonces sent = %q: each request needs a fresh one", ca.nonces)
				}

				seen[n] = true
			}
		})
	}
}
