package googleclouddns

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libdns/googleclouddns"
	"github.com/libdns/libdns"
	"google.golang.org/api/googleapi"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

// libdns/googleclouddns cannot be pointed at a local API (its endpoint is
// fixed and it lists zones with context.Background()), so these tests
// never run it. They use a double that behaves as the library does over
// Cloud DNS record sets: values containing a space are sent wrapped in
// quotes (after trimming quotes at their ends), values read back have
// their outer quotes trimmed, a set keeps the TTL of its first value, and
// failures are *googleapi.Error values.

const (
	fqdn    = "_validation-persist.www.example.com."
	value   = "ca.example; accounturi=https://ca.example/acct/1"
	otherCA = "other.example; accounturi=https://other.example/acct/9"
)

type rrset struct {
	TTL     int64
	Rrdatas []string
}

type fakeCloudDNS struct {
	mu     sync.Mutex
	sets   map[string]rrset // by absolute name; TXT only
	writes []string
	built  int // library providers built

	status int  // when set, every call fails with this googleapi error
	hang   bool // every call blocks, ignoring its context, until the test ends
	stop   chan struct{}
}

func newFake(sets map[string]rrset) *fakeCloudDNS {
	if sets == nil {
		sets = map[string]rrset{}
	}

	return &fakeCloudDNS{sets: sets, stop: make(chan struct{})}
}

// lib is what the factory returns: one library provider, sharing the store.
type lib struct{ f *fakeCloudDNS }

func (f *fakeCloudDNS) newLib() libdnsadapter.Provider {
	f.mu.Lock()
	f.built++
	f.mu.Unlock()

	return lib{f}
}

func toRRData(data string) string {
	if strings.Contains(data, " ") {
		return `"` + strings.Trim(data, `"`) + `"`
	}

	return data
}

func fromRRData(s string) string { return strings.Trim(s, `"`) }

func (l lib) begin() error {
	if l.f.hang {
		<-l.f.stop
	}

	if l.f.status != 0 {
		return &googleapi.Error{Code: l.f.status, Message: "denied\nfor project p"}
	}

	return nil
}

func (l lib) AppendRecords(_ context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	if err := l.begin(); err != nil {
		return nil, err
	}

	f := l.f
	f.mu.Lock()
	defer f.mu.Unlock()

	for _, r := range recs {
		rr := r.RR()
		name := libdns.AbsoluteName(rr.Name, zone)
		set, exists := f.sets[name]

		var datas []string
		for _, d := range set.Rrdatas {
			if fromRRData(d) == rr.Data {
				return recs, nil // already there: the library writes nothing
			}

			datas = append(datas, toRRData(fromRRData(d)))
		}

		if !exists {
			set.TTL = int64(rr.TTL / time.Second)
		}

		f.sets[name] = rrset{TTL: set.TTL, Rrdatas: append(datas, toRRData(rr.Data))}
		f.writes = append(f.writes, "write "+name)
	}

	return recs, nil
}

func (l lib) DeleteRecords(_ context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	if err := l.begin(); err != nil {
		return nil, err
	}

	f := l.f
	f.mu.Lock()
	defer f.mu.Unlock()

	for _, r := range recs {
		rr := r.RR()
		name := libdns.AbsoluteName(rr.Name, zone)

		set, ok := f.sets[name]
		if !ok || !slices.ContainsFunc(set.Rrdatas, func(d string) bool { return fromRRData(d) == rr.Data }) {
			continue
		}

		var keep []string
		for _, d := range set.Rrdatas {
			if fromRRData(d) != rr.Data {
				keep = append(keep, toRRData(fromRRData(d)))
			}
		}

		if len(keep) == 0 {
			delete(f.sets, name)
			f.writes = append(f.writes, "delete "+name)

			continue
		}

		f.sets[name] = rrset{TTL: set.TTL, Rrdatas: keep}
		f.writes = append(f.writes, "write "+name)
	}

	return recs, nil
}

func newTestPublisher(t *testing.T, f *fakeCloudDNS, timeout time.Duration) *libdnsadapter.Publisher {
	t.Helper()

	t.Cleanup(func() { close(f.stop) })

	cfg := &Config{Project: "p"}
	cfg.Zone = "example.com"
	cfg.HTTPTimeout = timeout

	pub, err := newPublisher(cfg, f.newLib)
	if err != nil {
		t.Fatal(err)
	}

	return pub
}

func TestPublishAddsTheValueAndKeepsTheOthers(t *testing.T) {
	long := value + "; x=" + strings.Repeat("a", 300)

	tests := []struct {
		name     string
		existing map[string]rrset
		value    string
		want     rrset
	}{
		{
			name:  "new set with the default TTL",
			value: value,
			want:  rrset{TTL: defaultTTL, Rrdatas: []string{`"` + value + `"`}},
		},
		{
			name:     "existing set keeps its TTL and values",
			existing: map[string]rrset{fqdn: {TTL: 300, Rrdatas: []string{`"` + otherCA + `"`, `"` + value + `; policy=wildcard"`}}},
			value:    value,
			want:     rrset{TTL: 300, Rrdatas: []string{`"` + otherCA + `"`, `"` + value + `; policy=wildcard"`, `"` + value + `"`}},
		},
		{
			name:  "a value over 255 octets goes out as two strings",
			value: long,
			want:  rrset{TTL: defaultTTL, Rrdatas: []string{`"` + long[:255] + `" "` + long[255:] + `"`}},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(tt.existing)

			if err := newTestPublisher(t, f, time.Second).Publish(context.Background(), fqdn, tt.value); err != nil {
				t.Fatal(err)
			}

			if got := f.sets[fqdn]; fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("set = %+v, want %+v", got, tt.want)
			}

			if len(f.writes) != 1 {
				t.Errorf("writes = %q, want one", f.writes)
			}
		})
	}
}

func TestEachCallUsesAFreshLibraryProvider(t *testing.T) {
	f := newFake(nil)
	pub := newTestPublisher(t, f, time.Second)

	for range 2 {
		if err := pub.Publish(context.Background(), fqdn, value); err != nil {
			t.Fatal(err)
		}
	}

	if f.built != 2 {
		t.Errorf("library providers built = %d, want 2", f.built)
	}
}

func TestUnpublishRemovesOnlyTheExactValue(t *testing.T) {
	long := value + "; x=" + strings.Repeat("b", 300)

	tests := []struct {
		name     string
		existing rrset
		value    string
		want     *rrset
	}{
		{
			name:     "other values stay",
			existing: rrset{TTL: 300, Rrdatas: []string{`"` + otherCA + `"`, `"` + value + `"`, `"` + value + `; policy=wildcard"`}},
			value:    value,
			want:     &rrset{TTL: 300, Rrdatas: []string{`"` + otherCA + `"`, `"` + value + `; policy=wildcard"`}},
		},
		{
			name:     "the only value: the set is deleted",
			existing: rrset{TTL: 300, Rrdatas: []string{`"` + value + `"`}},
			value:    value,
		},
		{
			name:     "a long value written as two strings is found",
			existing: rrset{TTL: 300, Rrdatas: []string{`"` + otherCA + `"`, `"` + long[:255] + `" "` + long[255:] + `"`}},
			value:    long,
			want:     &rrset{TTL: 300, Rrdatas: []string{`"` + otherCA + `"`}},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(map[string]rrset{fqdn: tt.existing})

			if err := newTestPublisher(t, f, time.Second).Unpublish(context.Background(), fqdn, tt.value); err != nil {
				t.Fatal(err)
			}

			got, ok := f.sets[fqdn]

			switch {
			case tt.want == nil && ok:
				t.Errorf("set left = %+v, want none", got)
			case tt.want != nil && fmt.Sprint(got) != fmt.Sprint(*tt.want):
				t.Errorf("set left = %+v, want %+v", got, *tt.want)
			}
		})
	}
}

func TestValuesTheLibraryCannotWriteAreRefused(t *testing.T) {
	for _, v := range []string{`ca.example; x="q"`, `ca.example; x=a\b`, "ca.example; x=\x01"} {
		f := newFake(nil)

		err := newTestPublisher(t, f, time.Second).Publish(context.Background(), fqdn, v)
		adaptertest.AssertOneLine(t, err, "gcloud", fqdn, "cannot write")

		if len(f.writes) != 0 || f.built != 0 {
			t.Errorf("%q: library used (%d) or writes %q", v, f.built, f.writes)
		}
	}
}

func TestAPIErrorsAreOneLineWithStatus(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusTooManyRequests, http.StatusInternalServerError} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			pub := newTestPublisher(t, &fakeCloudDNS{status: status, stop: make(chan struct{})}, time.Second)

			for _, op := range []func(context.Context, string, string) error{pub.Publish, pub.Unpublish} {
				err := op(context.Background(), fqdn, value)
				adaptertest.AssertOneLine(t, err, "gcloud", fqdn, fmt.Sprintf("HTTP %d", status))
			}
		})
	}
}

func TestACallThatIgnoresItsContextStillEndsAtTheTimeout(t *testing.T) {
	f := newFake(nil)
	f.hang = true

	err := newTestPublisher(t, f, 50*time.Millisecond).Publish(context.Background(), fqdn, value)
	adaptertest.AssertOneLine(t, err, "gcloud", fqdn, "timed out")
}

func clearEnv(t *testing.T) {
	t.Helper()

	for _, k := range []string{EnvProject, EnvServiceAccountFile, EnvServiceAccount, EnvZoneID, EnvAllowPrivateZone,
		EnvImpersonateServiceAccount, "GCE_TTL", "GCE_HTTP_TIMEOUT"} {
		t.Setenv(k, "")
	}

	t.Setenv("GCE_ZONE", "example.com")
}

func TestNewDNSProviderReadsLegoEnvironment(t *testing.T) {
	clearEnv(t)

	key := filepath.Join(t.TempDir(), "key.json")
	if err := os.WriteFile(key, []byte(`{"type":"service_account","project_id":"from-key","private_key":"KEY-SECRET"}`), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Setenv(EnvServiceAccountFile, key)
	t.Setenv("GCE_TTL", "600")

	cfg := NewDefaultConfig()
	if cfg.TTL != 600 || cfg.Zone != "example.com" || cfg.ServiceAccountFile != key {
		t.Errorf("NewDefaultConfig() = %+v", cfg)
	}

	pub, err := NewDNSProvider()
	if err != nil {
		t.Fatal(err)
	}

	if got := pub.String(); got != "gcloud (zone example.com.)" {
		t.Errorf("String() = %q", got)
	}

	p, ok := library("from-key", key)().(*googleclouddns.Provider)
	if !ok || p.Project != "from-key" || p.ServiceAccountJSON != key {
		t.Errorf("library() = %#v", p)
	}
}

func TestNewDNSProviderRefusesWhatItCannotHonour(t *testing.T) {
	badKey := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(badKey, []byte(`{"private_key":"KEY-SECRET"`), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{name: "no project", want: EnvProject},
		{name: "key as a value", env: map[string]string{EnvServiceAccount: `{"private_key":"KEY-SECRET"}`}, want: EnvServiceAccountFile},
		{name: "zone ID", env: map[string]string{EnvZoneID: "my-zone"}, want: EnvZoneID},
		{name: "private zone", env: map[string]string{EnvAllowPrivateZone: "true"}, want: "private"},
		{name: "impersonation", env: map[string]string{EnvImpersonateServiceAccount: "a@p.iam"}, want: EnvImpersonateServiceAccount},
		{name: "key without project", env: map[string]string{EnvServiceAccountFile: badKey}, want: "project_id"},
		{name: "missing key file", env: map[string]string{EnvProject: "p", EnvServiceAccountFile: badKey + ".gone"}, want: EnvServiceAccountFile},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)

			for k, v := range tt.env {
				t.Setenv(k, v)
			}

			_, err := NewDNSProvider()
			adaptertest.AssertOneLine(t, err, "gcloud", tt.want)
			adaptertest.AssertNoSecret(t, err, "KEY-SECRET")
		})
	}
}

func TestDescribeListsTheRequiredProject(t *testing.T) {
	d := Describe()
	if d.Name != "gcloud" || len(d.Env) == 0 || d.Env[0].Name != EnvProject || !d.Env[0].Required {
		t.Errorf("Describe() = %+v", d)
	}
}
