package adaptertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Test record names and values every Suite uses; the zone is example.com.
const (
	Zone      = "example.com"
	Name      = "_validation-persist.www.example.com" // where Publish writes
	FQDN      = Name + "."
	OtherName = "_validation-persist.other.example.com"
	Value     = "ca.example; accounturi=https://ca.example/acct/1"
	OtherCA   = "other.example; accounturi=https://other.example/acct/9"
	Longer    = Value + "; policy=wildcard"
)

// Record is one record of a Store.
type Record struct {
	ID    string
	Name  string // full name without the trailing dot, lower case
	Type  string
	Value string // the whole TXT value, strings joined
	TTL   int
}

// Store is the zone example.com as a fake API keeps it: the fake's handler
// translates the host's requests into Store calls, and a Suite checks the
// Store's contents. It is safe for concurrent use.
type Store struct {
	mu   sync.Mutex
	recs []Record
	next int
}

// Add stores a record and returns its ID (decimal, starting at 101).
func (s *Store) Add(name, typ, value string, ttl int) string {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.next++
	id := strconv.Itoa(100 + s.next)
	s.recs = append(s.recs, Record{ID: id, Name: strings.ToLower(strings.TrimSuffix(name, ".")), Type: typ, Value: value, TTL: ttl})

	return id
}

// Delete removes the record with id and reports whether there was one.
func (s *Store) Delete(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()

	n := len(s.recs)
	s.recs = slices.DeleteFunc(s.recs, func(r Record) bool { return r.ID == id })

	return len(s.recs) < n
}

// Find returns the records at name of type typ ("" for any name or type).
func (s *Store) Find(name, typ string) []Record {
	s.mu.Lock()
	defer s.mu.Unlock()

	name = strings.ToLower(strings.TrimSuffix(name, "."))

	var out []Record

	for _, r := range s.recs {
		if (name == "" || r.Name == name) && (typ == "" || r.Type == typ) {
			out = append(out, r)
		}
	}

	return out
}

// Get returns the record with id.
func (s *Store) Get(id string) (Record, bool) {
	for _, r := range s.Find("", "") {
		if r.ID == id {
			return r, true
		}
	}

	return Record{}, false
}

// Values returns the TXT values at name, sorted.
func (s *Store) Values(name string) []string {
	var out []string
	for _, r := range s.Find(name, "TXT") {
		out = append(out, r.Value)
	}

	slices.Sort(out)

	return out
}

// SetValues replaces the TXT set at name (whole-set APIs); no values
// deletes it.
func (s *Store) SetValues(name string, values []string, ttl int) {
	for _, r := range s.Find(name, "TXT") {
		s.Delete(r.ID)
	}

	for _, v := range values {
		s.Add(name, "TXT", v, ttl)
	}
}

// Publisher is what a Suite drives.
type Publisher interface {
	Publish(ctx context.Context, fqdn, value string) error
	Unpublish(ctx context.Context, fqdn, value string) error
}

// Suite is the table every publisher package runs against its fake API.
type Suite struct {
	// Secret is the credential New is given; Handler must refuse any other
	// with 401 or 403, and no error text may contain it.
	Secret string

	// Handler is the fake API over store: it checks method, path, body
	// and authentication, and answers anything else with an error status.
	Handler func(store *Store) http.Handler

	// New builds the publisher under test for the fake at baseURL, with
	// the credential secret, zone example.com and timeout bounding a call.
	New func(t *testing.T, baseURL, secret string, timeout time.Duration) (Publisher, error)

	// PublishRequests, when set, is the exact sequence "METHOD /path" of
	// one Publish into a zone that has other values at the name.
	PublishRequests []string

	// WholeSet says the API writes the whole TXT set at the name (every
	// value travels in the write): the check that no other value is sent
	// is skipped.
	WholeSet bool

	// ReadBack says the publisher reads its whole-set writes back: a case
	// then lets a concurrent writer drop our value right after our write
	// and checks that Publish wrote it again. Reads must be GET requests.
	ReadBack bool

	// ErrorBody is the body the fake's error responses carry in the
	// failure cases; it quotes the secret, as some APIs echo a credential.
	// Default: {"message":"bad credential <secret>"}.
	ErrorBody string
}

// seed fills store with the records every case starts from.
func seed(store *Store) {
	store.Add(Name, "TXT", OtherCA, 300)
	store.Add(Name, "TXT", Longer, 300)
	store.Add(OtherName, "TXT", Value, 300)
	store.Add(Name, "CNAME", "target.example.com", 300)
}

// Run runs the suite's cases as subtests.
func (s Suite) Run(t *testing.T) {
	t.Run("PublishAddsTheValueAndKeepsTheOthers", s.publishKeepsOthers)
	t.Run("PublishTwiceKeepsOneValue", s.publishTwice)
	t.Run("PublishAtANameWithoutRecordsAndUnpublishIt", s.publishFirst)
	t.Run("UnpublishRemovesOnlyThatValue", s.unpublishExact)
	t.Run("UnpublishOfAMissingValueWritesNothing", s.unpublishMissing)
	t.Run("ValueOver255OctetsRoundTrips", s.longValue)
	t.Run("WrongCredentialIsRefusedWithoutWriting", s.wrongCredential)
	t.Run("ErrorStatusesAreOneLineWithoutTheSecret", s.errorStatuses)
	t.Run("TimeoutIsOneLine", s.timeout)

	if s.ReadBack {
		t.Run("ValueDroppedByAConcurrentWriterIsWrittenAgain", s.concurrentWriter)
	}
}

// Concurrent is the value the concurrent writer of the ReadBack case adds.
const Concurrent = "concurrent.example; accounturi=https://concurrent.example/acct/3"

func (s Suite) concurrentWriter(t *testing.T) {
	store := &Store{}
	seed(store)

	var once sync.Once

	next := s.Handler(store)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)

		if r.Method == http.MethodGet {
			return
		}

		// Another writer's whole-set write, based on a read from before
		// ours, lands right after ours: our value is gone, its own is there.
		once.Do(func() {
			for _, rec := range store.Find(Name, "TXT") {
				if rec.Value == Value {
					store.Delete(rec.ID)
				}
			}

			store.Add(Name, "TXT", Concurrent, 300)
		})
	})

	pub, _ := s.start(t, h, s.Secret, 5*time.Second)

	if err := pub.Publish(context.Background(), FQDN, Value); err != nil {
		t.Fatal(err)
	}

	wantValues(t, store, Name, OtherCA, Longer, Concurrent, Value)
}

func (s Suite) start(t *testing.T, h http.Handler, secret string, timeout time.Duration) (Publisher, *Recorder) {
	t.Helper()

	srv, rec := NewServer(t, h)

	pub, err := s.New(t, srv.URL, secret, timeout)
	if err != nil {
		t.Fatalf("New: %v", err)
	}

	return pub, rec
}

func (s Suite) seeded(t *testing.T) (*Store, Publisher, *Recorder) {
	t.Helper()

	store := &Store{}
	seed(store)
	pub, rec := s.start(t, s.Handler(store), s.Secret, 5*time.Second)

	return store, pub, rec
}

func wantValues(t *testing.T, store *Store, name string, want ...string) {
	t.Helper()

	slices.Sort(want)

	if got := store.Values(name); !slices.Equal(got, want) {
		t.Errorf("TXT values at %s = %q, want %q", name, got, want)
	}
}

// untouched checks the records outside the name under test.
func untouched(t *testing.T, store *Store) {
	t.Helper()

	wantValues(t, store, OtherName, Value)

	if c := store.Find(Name, "CNAME"); len(c) != 1 {
		t.Errorf("records of another type at the name: %+v, want the one CNAME", c)
	}
}

func (s Suite) publishKeepsOthers(t *testing.T) {
	store, pub, rec := s.seeded(t)

	if err := pub.Publish(context.Background(), FQDN, Value); err != nil {
		t.Fatal(err)
	}

	wantValues(t, store, Name, OtherCA, Longer, Value)
	untouched(t, store)

	if s.PublishRequests != nil {
		var got []string
		for _, r := range rec.Requests() {
			got = append(got, r.Method+" "+r.Path)
		}

		if !slices.Equal(got, s.PublishRequests) {
			t.Errorf("requests of one publish:\n got  %q\n want %q", got, s.PublishRequests)
		}
	}

	for _, r := range rec.Requests() {
		if !s.WholeSet && strings.Contains(r.Query.Encode()+r.Body, Longer) {
			t.Errorf("%s sent another record's value: %s", r, r.Body)
		}
	}
}

func (s Suite) publishTwice(t *testing.T) {
	store, pub, _ := s.seeded(t)

	for range 2 {
		if err := pub.Publish(context.Background(), FQDN, Value); err != nil {
			t.Fatal(err)
		}
	}

	// A record API may hold the value twice (two records); a whole-set API
	// must not. Either way unpublish takes every copy.
	if err := pub.Unpublish(context.Background(), FQDN, Value); err != nil {
		t.Fatal(err)
	}

	wantValues(t, store, Name, OtherCA, Longer)
}

// NewName is a name without any record when a case starts.
const NewName = "_validation-persist.new.example.com"

func (s Suite) publishFirst(t *testing.T) {
	store, pub, _ := s.seeded(t)

	if err := pub.Publish(context.Background(), NewName+".", Value); err != nil {
		t.Fatal(err)
	}

	wantValues(t, store, NewName, Value)

	if err := pub.Unpublish(context.Background(), NewName+".", Value); err != nil {
		t.Fatal(err)
	}

	wantValues(t, store, NewName)
	wantValues(t, store, Name, OtherCA, Longer)
}

func (s Suite) unpublishExact(t *testing.T) {
	store, pub, _ := s.seeded(t)
	store.Add(Name, "TXT", Value, 300)

	if err := pub.Unpublish(context.Background(), FQDN, Value); err != nil {
		t.Fatal(err)
	}

	wantValues(t, store, Name, OtherCA, Longer)
	untouched(t, store)
}

func (s Suite) unpublishMissing(t *testing.T) {
	store, pub, _ := s.seeded(t)

	if err := pub.Unpublish(context.Background(), FQDN, Value); err != nil {
		t.Fatal(err)
	}

	wantValues(t, store, Name, OtherCA, Longer)
	untouched(t, store)
}

// LongValue is a value over 255 octets, which must reach the store whole.
var LongValue = Value + "; x=" + strings.Repeat("0123456789", 30)

func (s Suite) longValue(t *testing.T) {
	store, pub, _ := s.seeded(t)

	if err := pub.Publish(context.Background(), FQDN, LongValue); err != nil {
		t.Fatal(err)
	}

	wantValues(t, store, Name, OtherCA, Longer, LongValue)

	if err := pub.Unpublish(context.Background(), FQDN, LongValue); err != nil {
		t.Fatal(err)
	}

	wantValues(t, store, Name, OtherCA, Longer)
}

func (s Suite) wrongCredential(t *testing.T) {
	store := &Store{}
	seed(store)

	pub, _ := s.start(t, s.Handler(store), "wrong-"+s.Secret, 5*time.Second)

	err := pub.Publish(context.Background(), FQDN, Value)
	AssertOneLine(t, err, FQDN)

	wantValues(t, store, Name, OtherCA, Longer)
}

func (s Suite) errorStatuses(t *testing.T) {
	body := s.ErrorBody
	if body == "" {
		body = `{"message":"bad credential ` + s.Secret + `"}`
	}

	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests,
		http.StatusInternalServerError, http.StatusBadGateway} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			store := &Store{}
			seed(store)

			fail := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(status)
				_, _ = fmt.Fprint(w, body)
			})

			pub, _ := s.start(t, fail, s.Secret, 5*time.Second)

			for _, op := range []func(context.Context, string, string) error{pub.Publish, pub.Unpublish} {
				err := op(context.Background(), FQDN, Value)
				AssertOneLine(t, err, FQDN)
				AssertNoSecret(t, err, s.Secret)
			}
		})
	}
}

func (s Suite) timeout(t *testing.T) {
	hang := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	pub, _ := s.start(t, hang, s.Secret, 300*time.Millisecond)

	err := pub.Publish(context.Background(), FQDN, Value)
	AssertOneLine(t, err, FQDN)
	AssertNoSecret(t, err, s.Secret)

	if !strings.Contains(err.Error(), "timed out") && !strings.Contains(err.Error(), "deadline") {
		t.Errorf("error %q does not say it timed out", err)
	}
}

// Relative is name relative to example.com, "" at the apex.
func Relative(name string) string {
	return strings.TrimSuffix(strings.TrimSuffix(name, Zone), ".")
}

// Absolute is the full name of rel ("" or "@": the apex) in example.com.
func Absolute(rel string) string {
	if rel == "" || rel == "@" {
		return Zone
	}

	return strings.TrimSuffix(rel, ".") + "." + Zone
}

// RequireHeader passes requests whose header key is want to next and
// answers the others with status and body: a fake API's authentication.
func RequireHeader(next http.Handler, key, want string, status int, body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(key) != want {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = fmt.Fprint(w, body)

			return
		}

		next.ServeHTTP(w, r)
	})
}

// WriteJSON writes v as a JSON response with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// DecodeJSON decodes r's body into v, answering 400 and returning false
// when it is not JSON of that shape (unknown fields included).
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()

	if err := dec.Decode(v); err != nil {
		WriteJSON(w, http.StatusBadRequest, map[string]string{"message": "bad request body: " + err.Error()})

		return false
	}

	return true
}

// IntID is a Store ID as the number APIs with numeric IDs send.
func IntID(id string) int64 {
	n, _ := strconv.ParseInt(id, 10, 64)

	return n
}
