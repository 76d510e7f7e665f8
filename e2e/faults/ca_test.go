package faults

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-acme/lego/v4/acme"
	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
	"github.com/lego-persist/lego-persist/providers/persist"
)

const (
	badNonceType    = "urn:ietf:params:acme:error:badNonce"
	rateLimitedType = "urn:ietf:params:acme:error:rateLimited"
	serverErrType   = "urn:ietf:params:acme:error:serverInternal"
)

// afterChallenge is true once the challenge was answered: /authZ/ requests
// from then on are the solver's polls (lego fetches the authorizations
// before).
func afterChallenge(seen []exchange) bool { return count(seen, http.MethodPost, "/chalZ/") > 0 }

// TestCAFaultsTheSolverRidesOut injects transient CA faults and checks that
// the issuance still succeeds with exactly one record written.
func TestCAFaultsTheSolverRidesOut(t *testing.T) {
	t.Parallel()

	b := bed.New(t, bed.Options{})

	tests := []struct {
		name   string
		inject func(t *testing.T) injector
		check  func(t *testing.T, f *caFront)
	}{
		{
			name: "badNonce on the challenge, the first poll and finalize is retried by lego",
			inject: func(*testing.T) injector {
				return func(w http.ResponseWriter, r *http.Request, seen []exchange) bool {
					first := func(prefix string) bool {
						return strings.HasPrefix(r.URL.Path, prefix) && count(injectedOnly(seen), http.MethodPost, prefix) == 0
					}

					if r.Method == http.MethodPost && (first("/chalZ/") || first("/finalize-order/") || (afterChallenge(seen) && first("/authZ/"))) {
						problem(w, http.StatusBadRequest, badNonceType, "JWS has an invalid anti-replay nonce", nil)
						return true
					}

					return false
				}
			},
			check: func(t *testing.T, f *caFront) {
				if n := len(injectedOnly(f.exchanges("/"))); n != 3 {
					t.Errorf("%d badNonce answers injected; want 3", n)
				}
			},
		},
		{
			name: "429 with Retry-After on a poll is waited out",
			inject: func(*testing.T) injector {
				return func(w http.ResponseWriter, r *http.Request, seen []exchange) bool {
					if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/authZ/") && afterChallenge(seen) &&
						count(injectedOnly(seen), http.MethodPost, "/authZ/") == 0 {
						problem(w, http.StatusTooManyRequests, rateLimitedType, "too many polls", map[string]string{"Retry-After": "1"})
						return true
					}

					return false
				}
			},
			check: func(t *testing.T, f *caFront) {
				polls := f.exchanges("/authZ/")
				for i, e := range polls {
					if !e.injected {
						continue
					}

					if i+1 == len(polls) {
						t.Fatal("no poll after the 429")
					}

					if gap := polls[i+1].at.Sub(e.at); gap < 900*time.Millisecond {
						t.Errorf("next poll %s after a 429 with Retry-After: 1; want the wait honoured", gap)
					}

					return
				}

				t.Error("no 429 was injected")
			},
		},
		{
			name: "503 on a poll is retried",
			inject: func(*testing.T) injector {
				return func(w http.ResponseWriter, r *http.Request, seen []exchange) bool {
					if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/authZ/") && afterChallenge(seen) &&
						count(injectedOnly(seen), http.MethodPost, "/authZ/") == 0 {
						problem(w, http.StatusServiceUnavailable, serverErrType, "try again", nil)
						return true
					}

					return false
				}
			},
		},
		{
			name: "connection reset on a poll is retried",
			inject: func(t *testing.T) injector {
				return func(w http.ResponseWriter, r *http.Request, seen []exchange) bool {
					if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/authZ/") && afterChallenge(seen) &&
						count(injectedOnly(seen), http.MethodPost, "/authZ/") == 0 {
						reset(t, w)
						return true
					}

					return false
				}
			},
		},
	}

	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			front := newCAFront(t, b, tt.inject(t))
			client, cfg := e2etest.Account(t, b, front.URL)
			pub := publisher(t, b)

			if err := persist.Enable(client, cfg, pub, loopback(b.DNSAddr)...); err != nil {
				t.Fatal(err)
			}

			domain := e2etest.Domain(b, "cafault"+string(rune('a'+i)))

			if _, err := e2etest.Obtain(client, domain); err != nil {
				t.Fatalf("obtain through the faults: %v", err)
			}

			if n := pub.Calls(); n != 1 {
				t.Errorf("Publish called %d times; want 1", n)
			}

			if tt.check != nil {
				tt.check(t, front)
			}
		})
	}
}

func injectedOnly(seen []exchange) []exchange {
	var out []exchange

	for _, e := range seen {
		if e.injected {
			out = append(out, e)
		}
	}

	return out
}

// TestCAFaultsFailCleanlyAndARerunWritesNothing injects faults the solver
// cannot ride out (on requests lego makes or that are not safe to repeat):
// the obtain fails with a clear error and no certificate, at most one
// record was written, and a rerun without the fault succeeds without
// writing again.
func TestCAFaultsFailCleanlyAndARerunWritesNothing(t *testing.T) {
	t.Parallel()

	b := bed.New(t, bed.Options{})

	once := func(method, prefix string, do func(t *testing.T, w http.ResponseWriter)) func(t *testing.T) injector {
		return func(t *testing.T) injector {
			return func(w http.ResponseWriter, r *http.Request, seen []exchange) bool {
				if r.Method == method && strings.HasPrefix(r.URL.Path, prefix) && len(injectedOnly(seen)) == 0 {
					do(t, w)
					return true
				}

				return false
			}
		}
	}

	tests := []struct {
		name       string
		inject     func(t *testing.T) injector
		published  int32 // records written by the failed run
		causes     []string
		checkError func(t *testing.T, err error)
	}{
		{
			name: "429 with Retry-After on newOrder",
			inject: once(http.MethodPost, "/order-plz", func(_ *testing.T, w http.ResponseWriter) {
				problem(w, http.StatusTooManyRequests, rateLimitedType, "too many new orders recently", map[string]string{"Retry-After": "120"})
			}),
			causes: []string{"429", rateLimitedType, "too many new orders recently"},
			checkError: func(t *testing.T, err error) {
				var rl *acme.RateLimitedError
				if !errors.As(err, &rl) || rl.RetryAfter != "120" {
					t.Errorf("error %v does not carry the rate limit with Retry-After 120", err)
				}
			},
		},
		{
			name: "500 on newOrder",
			inject: once(http.MethodPost, "/order-plz", func(_ *testing.T, w http.ResponseWriter) {
				problem(w, http.StatusInternalServerError, serverErrType, "database unavailable", nil)
			}),
			causes: []string{"500", serverErrType, "database unavailable"},
		},
		{
			name: "500 on the challenge answer",
			inject: once(http.MethodPost, "/chalZ/", func(_ *testing.T, w http.ResponseWriter) {
				problem(w, http.StatusInternalServerError, serverErrType, "database unavailable", nil)
			}),
			published: 1,
			causes:    []string{"answering the dns-persist-01 challenge", "500", "database unavailable"},
		},
		{
			name:      "connection reset on the challenge answer",
			inject:    once(http.MethodPost, "/chalZ/", reset),
			published: 1,
			causes:    []string{"answering the dns-persist-01 challenge", "/chalZ/"},
		},
		{
			name:      "connection reset on finalize",
			inject:    once(http.MethodPost, "/finalize-order/", reset),
			published: 1,
			causes:    []string{"/finalize-order/"},
		},
	}

	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			front := newCAFront(t, b, tt.inject(t))
			client, cfg := e2etest.Account(t, b, front.URL)
			pub := publisher(t, b)

			if err := persist.Enable(client, cfg, pub, loopback(b.DNSAddr)...); err != nil {
				t.Fatal(err)
			}

			domain := e2etest.Domain(b, "cafail"+string(rune('a'+i)))

			res, err := e2etest.Obtain(client, domain)
			wantCause(t, err, tt.causes...)
			t.Logf("error: %v", err)

			if res != nil && len(res.Certificate) > 0 {
				t.Errorf("a failed obtain returned a certificate")
			}

			if tt.checkError != nil {
				tt.checkError(t, err)
			}

			if n := pub.Calls(); n != tt.published {
				t.Errorf("the failed run published %d records; want %d", n, tt.published)
			}

			if _, err := e2etest.Obtain(client, domain); err != nil {
				t.Fatalf("rerun without the fault: %v", err)
			}

			if n := pub.Calls(); n != 1 {
				t.Errorf("%d records published over both runs; want 1", n)
			}
		})
	}
}

// TestPebbleNonceRejectionIsRetried lets Pebble itself reject half of all
// nonces (PEBBLE_WFE_NONCEREJECT=50): a two-name order still succeeds with
// one record per name.
func TestPebbleNonceRejectionIsRetried(t *testing.T) {
	t.Parallel()

	b := bed.New(t, bed.Options{PebbleEnv: map[string]string{"PEBBLE_WFE_NONCEREJECT": "50"}})
	front := newCAFront(t, b, nil)

	client, cfg := e2etest.Account(t, b, front.URL)
	pub := publisher(t, b)

	if err := persist.Enable(client, cfg, pub, loopback(b.DNSAddr)...); err != nil {
		t.Fatal(err)
	}

	if _, err := e2etest.Obtain(client, e2etest.Domain(b, "nonce1"), e2etest.Domain(b, "nonce2")); err != nil {
		t.Fatal(err)
	}

	if n := pub.Calls(); n != 2 {
		t.Errorf("Publish called %d times; want 2", n)
	}

	rejected := 0

	for _, e := range front.exchanges("/") {
		if e.status == http.StatusBadRequest {
			rejected++
		}
	}

	t.Logf("Pebble rejected %d of %d requests with badNonce", rejected, len(front.exchanges("/")))
}

// TestAuthorizationTurningInvalidCarriesTheProblem uses a publisher that
// reports success without writing and a fixed propagation wait: Pebble
// finds no record and invalidates the authorization. The error carries the
// CA's problem type and detail as a *persist.CAError.
func TestAuthorizationTurningInvalidCarriesTheProblem(t *testing.T) {
	t.Parallel()

	b := bed.New(t, bed.Options{})
	client, cfg := e2etest.Account(t, b, b.DirectoryURL)
	liar := &e2etest.CountingPublisher{}

	if err := persist.Enable(client, cfg, liar, loopback(b.DNSAddr, persist.WithPropagationWait(10*time.Millisecond, true))...); err != nil {
		t.Fatal(err)
	}

	domain := e2etest.Domain(b, "invalid")

	_, err := e2etest.Obtain(client, domain)
	wantDomainError(t, err, domain, "the CA rejected the dns-persist-01 validation: urn:ietf:params:acme:error:")

	var ca *persist.CAError
	if !errors.As(err, &ca) {
		t.Fatalf("error %v is not a *persist.CAError", err)
	}

	if !strings.HasPrefix(ca.Problem.Type, "urn:ietf:params:acme:error:") || ca.Problem.Detail == "" {
		t.Errorf("problem %+v lacks type or detail", ca.Problem)
	}

	if !strings.Contains(ca.Problem.Detail, e2etest.RecordName(domain)[:len(e2etest.RecordName(domain))-1]) {
		t.Logf("Pebble's detail does not name the record: %q", ca.Problem.Detail)
	}

	t.Logf("error: %v", err)
}
