package digitalocean

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/digitalocean/godo"
	"github.com/libdns/digitalocean"
	"github.com/libdns/libdns"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

// libdns/digitalocean builds godo with a fixed base URL and a transport of
// its own (go-retryablehttp), so it cannot be pointed at a local server and
// these tests never run it against the network. Instead they use a test
// double with the library's semantics: records are digitalocean.DNS values
// carrying an ID, DeleteRecords deletes by that ID only, and failures are
// *godo.ErrorResponse values as godo returns them.

const (
	token   = "do-token-SECRET-77"
	fqdn    = "_validation-persist.www.example.com."
	value   = "ca.example; accounturi=https://ca.example/acct/1"
	otherCA = "other.example; accounturi=https://other.example/acct/9"
)

type fakeLibrary struct {
	mu      sync.Mutex
	records []digitalocean.DNS
	calls   []string
	status  int // when set, every call fails with this godo error
	message string
}

func (f *fakeLibrary) fail(method string) error {
	if f.status == 0 {
		return nil
	}

	u, _ := url.Parse("https://api.digitalocean.com/v2/domains/example.com/records")

	return &godo.ErrorResponse{
		Response: &http.Response{StatusCode: f.status, Request: &http.Request{Method: method, URL: u}},
		Message:  f.message,
	}
}

func (f *fakeLibrary) GetRecords(_ context.Context, zone string) ([]libdns.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()

	f.calls = append(f.calls, "GetRecords "+zone)
	if err := f.fail(http.MethodGet); err != nil {
		return nil, err
	}

	out := make([]libdns.Record, 0, len(f.records))
	for _, r := range f.records {
		out = append(out, r)
	}

	return out, nil
}

func (f *fakeLibrary) AppendRecords(_ context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()

	for _, r := range recs {
		rr := r.RR()
		f.calls = append(f.calls, fmt.Sprintf("AppendRecords %s %s %s %s %q", zone, rr.Name, rr.Type, rr.TTL, rr.Data))
	}

	if err := f.fail(http.MethodPost); err != nil {
		return nil, err
	}

	return recs, nil
}

// DeleteRecords deletes by ID only, as the library does: a record without
// an ID is an error (the library fails parsing an empty ID).
func (f *fakeLibrary) DeleteRecords(_ context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()

	if err := f.fail(http.MethodDelete); err != nil {
		return nil, err
	}

	for _, r := range recs {
		d, ok := r.(digitalocean.DNS)
		if !ok || d.ID == "" {
			return nil, fmt.Errorf("strconv.Atoi: parsing %q: invalid syntax", "")
		}

		f.calls = append(f.calls, "DeleteRecords "+zone+" id="+d.ID)

		for i, have := range f.records {
			if have.ID == d.ID {
				f.records = append(f.records[:i], f.records[i+1:]...)

				break
			}
		}
	}

	return recs, nil
}

func txt(id, name, data string) digitalocean.DNS {
	return digitalocean.DNS{ID: id, Record: libdns.RR{Name: name, Type: "TXT", Data: data}}
}

func existing() []digitalocean.DNS {
	return []digitalocean.DNS{
		txt("1", "_validation-persist.www", otherCA),
		txt("2", "_validation-persist.other", value),
		txt("3", "_validation-persist.www", value+"; policy=wildcard"),
		{ID: "5", Record: libdns.RR{Name: "_validation-persist.www", Type: "CNAME", Data: value}},
	}
}

func newTestPublisher(t *testing.T, lib *fakeLibrary) interface {
	Publish(context.Context, string, string) error
	Unpublish(context.Context, string, string) error
} {
	t.Helper()

	cfg := &Config{AuthToken: token}
	cfg.Zone = "example.com"
	cfg.TTL = 30

	pub, err := newPublisher(cfg, lib)
	if err != nil {
		t.Fatal(err)
	}

	return pub
}

func TestPublishAppendsOneRecord(t *testing.T) {
	lib := &fakeLibrary{records: existing()}

	if err := newTestPublisher(t, lib).Publish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	want := fmt.Sprintf("AppendRecords example.com. _validation-persist.www TXT 30s %q", value)
	if len(lib.calls) != 1 || lib.calls[0] != want {
		t.Errorf("calls = %q, want [%q]", lib.calls, want)
	}
}

func TestUnpublishDeletesOnlyTheRecordWithThatValueByID(t *testing.T) {
	lib := &fakeLibrary{records: append(existing(), txt("4", "_validation-persist.www", value))}

	if err := newTestPublisher(t, lib).Unpublish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	want := []string{"GetRecords example.com.", "DeleteRecords example.com. id=4"}
	if fmt.Sprint(lib.calls) != fmt.Sprint(want) {
		t.Errorf("calls = %q, want %q", lib.calls, want)
	}

	if fmt.Sprint(lib.records) != fmt.Sprint(existing()) {
		t.Errorf("records left = %v, want %v", lib.records, existing())
	}
}

func TestUnpublishOfAnAbsentValueDeletesNothing(t *testing.T) {
	lib := &fakeLibrary{records: existing()}

	if err := newTestPublisher(t, lib).Unpublish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	if len(lib.calls) != 1 || lib.calls[0] != "GetRecords example.com." {
		t.Errorf("calls = %q, want only the listing", lib.calls)
	}
}

func TestAPIErrorsAreOneLineWithStatusAndWithoutToken(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusTooManyRequests, http.StatusInternalServerError} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			pub := newTestPublisher(t, &fakeLibrary{status: status, message: "refused token " + token + "\nsee docs"})

			for _, op := range []func(context.Context, string, string) error{pub.Publish, pub.Unpublish} {
				err := op(context.Background(), fqdn, value)
				adaptertest.AssertOneLine(t, err, "digitalocean", fqdn, fmt.Sprint(status))
				adaptertest.AssertNoSecret(t, err, token)

				var gerr *godo.ErrorResponse
				if !errors.As(err, &gerr) {
					t.Errorf("error does not wrap godo's: %v", err)
				}
			}
		})
	}
}

func TestNewDNSProviderReadsLegoEnvironment(t *testing.T) {
	t.Setenv("DO_ZONE", "example.com")
	t.Setenv(EnvAuthToken, "")
	t.Setenv(EnvAPIUrl, "")

	if _, err := NewDNSProvider(); err == nil || !strings.Contains(err.Error(), EnvAuthToken) {
		t.Errorf("without a token: err = %v, want one naming %s", err, EnvAuthToken)
	}

	t.Setenv(EnvAuthToken, token)
	t.Setenv(EnvAPIUrl, "https://do.example.internal")

	if _, err := NewDNSProvider(); err == nil || !strings.Contains(err.Error(), EnvAPIUrl) {
		t.Errorf("with another API URL: err = %v, want a refusal naming %s", err, EnvAPIUrl)
	}

	t.Setenv(EnvAPIUrl, DefaultBaseURL+"/")
	t.Setenv("DO_TTL", "600")

	cfg := NewDefaultConfig()
	if cfg.TTL != 600 || cfg.Zone != "example.com" {
		t.Errorf("NewDefaultConfig() = %+v, want TTL 600 and zone example.com", cfg)
	}

	pub, err := NewDNSProvider()
	if err != nil {
		t.Fatal(err)
	}

	if got := pub.String(); got != "digitalocean (zone example.com.)" {
		t.Errorf("String() = %q", got)
	}
}
