package route53

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

// The tests run the real libdns/route53 and AWS SDK code against a fake
// Route 53 REST/XML API on loopback: AWS_ENDPOINT_URL points the SDK there,
// static credentials and AWS_EC2_METADATA_DISABLED keep it away from the
// instance metadata service, and empty shared config files keep the
// user's ~/.aws out.

const (
	keyID   = "AKIDTESTKEY"
	secret  = "aws-secret-SECRET-42"
	zoneID  = "Z0TEST"
	fqdn    = "_validation-persist.www.example.com."
	value   = "ca.example; accounturi=https://ca.example/acct/1"
	otherCA = "other.example; accounturi=https://other.example/acct/9"
)

const xmlns = "https://route53.amazonaws.com/doc/2013-04-01/"

type resourceRecord struct {
	Value string `xml:"Value"`
}

type recordSet struct {
	Name            string           `xml:"Name"`
	Type            string           `xml:"Type"`
	TTL             int64            `xml:"TTL"`
	ResourceRecords []resourceRecord `xml:"ResourceRecords>ResourceRecord"`
}

type change struct {
	Action    string    `xml:"Action"`
	RecordSet recordSet `xml:"ResourceRecordSet"`
}

type changeRequest struct {
	Changes []change `xml:"ChangeBatch>Changes>Change"`
}

// fakeRoute53 implements the calls libdns/route53 makes: hosted zone by
// name, list record sets, change record sets (UPSERT, DELETE).
type fakeRoute53 struct {
	mu      sync.Mutex
	sets    []recordSet
	changes []change

	failStatus int    // when set, every request fails with this status
	failCode   string // AWS error code for failStatus
}

func (f *fakeRoute53) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()

	if f.failStatus != 0 {
		writeError(w, f.failStatus, f.failCode, "refused for key "+secret)

		return
	}

	if !strings.Contains(r.Header.Get("Authorization"), "Credential="+keyID+"/") {
		writeError(w, http.StatusForbidden, "InvalidClientTokenId", "unknown key")

		return
	}

	const base = "/2013-04-01"

	switch {
	case r.Method == http.MethodGet && r.URL.Path == base+"/hostedzonesbyname":
		name := r.URL.Query().Get("dnsname")
		zones := ""

		if name == "example.com." || name == "example.com" {
			zones = `<HostedZone><Id>/hostedzone/` + zoneID + `</Id><Name>example.com.</Name><CallerReference>c</CallerReference>` +
				`<Config><PrivateZone>false</PrivateZone></Config></HostedZone>`
		}

		writeXML(w, `<ListHostedZonesByNameResponse xmlns="`+xmlns+`"><HostedZones>`+zones+
			`</HostedZones><IsTruncated>false</IsTruncated><MaxItems>1</MaxItems></ListHostedZonesByNameResponse>`)

	case r.Method == http.MethodGet && r.URL.Path == base+"/hostedzone/"+zoneID+"/rrset":
		type listResponse struct {
			XMLName     xml.Name    `xml:"ListResourceRecordSetsResponse"`
			Xmlns       string      `xml:"xmlns,attr"`
			Sets        []recordSet `xml:"ResourceRecordSets>ResourceRecordSet"`
			IsTruncated bool        `xml:"IsTruncated"`
			MaxItems    int         `xml:"MaxItems"`
		}

		out, _ := xml.Marshal(listResponse{Xmlns: xmlns, Sets: f.sets, MaxItems: 1000})
		writeXML(w, string(out))

	case r.Method == http.MethodPost && r.URL.Path == base+"/hostedzone/"+zoneID+"/rrset":
		var req changeRequest
		if err := xml.NewDecoder(r.Body).Decode(&req); err != nil {
			writeError(w, http.StatusBadRequest, "InvalidInput", err.Error())

			return
		}

		for _, c := range req.Changes {
			if err := f.apply(c); err != nil {
				writeError(w, http.StatusBadRequest, "InvalidChangeBatch", err.Error())

				return
			}
		}

		f.changes = append(f.changes, req.Changes...)
		writeXML(w, `<ChangeResourceRecordSetsResponse xmlns="`+xmlns+`"><ChangeInfo><Id>/change/C1</Id>`+
			`<Status>PENDING</Status><SubmittedAt>2026-01-01T00:00:00Z</SubmittedAt></ChangeInfo></ChangeResourceRecordSetsResponse>`)

	default:
		writeError(w, http.StatusNotFound, "NoSuchHostedZone", "no such zone "+r.URL.Path)
	}
}

// apply enforces Route 53's rules: UPSERT replaces the set, DELETE must
// name the set exactly as it is.
func (f *fakeRoute53) apply(c change) error {
	i := slices.IndexFunc(f.sets, func(s recordSet) bool { return s.Name == c.RecordSet.Name && s.Type == c.RecordSet.Type })

	switch c.Action {
	case "UPSERT":
		if i >= 0 {
			f.sets[i] = c.RecordSet
		} else {
			f.sets = append(f.sets, c.RecordSet)
		}
	case "DELETE":
		if i < 0 || fmt.Sprint(f.sets[i]) != fmt.Sprint(c.RecordSet) {
			return fmt.Errorf("the set to delete does not match the existing one")
		}

		f.sets = slices.Delete(f.sets, i, i+1)
	default:
		return fmt.Errorf("unexpected action %s", c.Action)
	}

	return nil
}

func (f *fakeRoute53) set(name string) (recordSet, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()

	for _, s := range f.sets {
		if s.Name == name && s.Type == "TXT" {
			return s, true
		}
	}

	return recordSet{}, false
}

func writeXML(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/xml")
	_, _ = fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+body)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `<?xml version="1.0"?>`+"\n"+`<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>%s</Code>`+
		"<Message>%s</Message></Error>\n<RequestId>req-1</RequestId></ErrorResponse>", xmlns, code, msg)
}

func txtSet(ttl int64, values ...string) recordSet {
	s := recordSet{Name: fqdn, Type: "TXT", TTL: ttl}
	for _, v := range values {
		s.ResourceRecords = append(s.ResourceRecords, resourceRecord{Value: v})
	}

	return s
}

// isolateAWS points the AWS SDK at srv and at nothing else.
func isolateAWS(t *testing.T, endpoint string) {
	t.Helper()

	dir := t.TempDir()
	t.Setenv("AWS_ENDPOINT_URL", endpoint)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv(EnvProfile, "")
	t.Setenv(EnvRegion, "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv(EnvAccessKeyID, "")
	t.Setenv(EnvSecretAccessKey, "")
	t.Setenv(EnvSessionToken, "")
	t.Setenv(EnvAssumeRoleArn, "")
	t.Setenv(EnvHostedZoneID, "")
	t.Setenv(EnvPrivateZone, "")
	t.Setenv("AWS_ZONE", "")
}

func newTestPublisher(t *testing.T, api *fakeRoute53, hostedZoneID string) (*DNSProvider, *adaptertest.Recorder) {
	t.Helper()

	srv, rec := adaptertest.NewServer(t, api)
	isolateAWS(t, srv.URL)

	cfg := &Config{AccessKeyID: keyID, SecretAccessKey: secret, HostedZoneID: hostedZoneID, MaxRetries: 1}
	cfg.Zone = "example.com"
	cfg.TTL = 60
	cfg.HTTPTimeout = 5 * time.Second
	cfg.Settle = time.Millisecond

	pub, err := NewDNSProviderConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}

	return pub, rec
}

func TestPublishUpsertsTheSetWithTheValueAddedAndOthersKept(t *testing.T) {
	tests := []struct {
		name     string
		existing []recordSet
		zoneID   string
		want     recordSet
	}{
		{
			name: "new set gets the configured TTL",
			want: txtSet(60, `"`+value+`"`),
		},
		{
			name:     "existing set keeps its TTL and values",
			existing: []recordSet{txtSet(300, `"`+otherCA+`"`, `"`+value+`; policy=wildcard"`)},
			want:     txtSet(300, `"`+otherCA+`"`, `"`+value+`; policy=wildcard"`, `"`+value+`"`),
		},
		{
			name:     "hosted zone ID given, with its prefix",
			existing: []recordSet{txtSet(300, `"`+otherCA+`"`)},
			zoneID:   "/hostedzone/" + zoneID,
			want:     txtSet(300, `"`+otherCA+`"`, `"`+value+`"`),
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &fakeRoute53{sets: slices.Clone(tt.existing)}
			pub, rec := newTestPublisher(t, api, tt.zoneID)

			if err := pub.Publish(context.Background(), fqdn, value); err != nil {
				t.Fatal(err)
			}

			got, _ := api.set(fqdn)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("set after publish = %v, want %v", got, tt.want)
			}

			if len(api.changes) != 1 || api.changes[0].Action != "UPSERT" {
				t.Errorf("changes = %v, want one UPSERT", api.changes)
			}

			for _, r := range rec.Requests() {
				if tt.zoneID != "" && strings.Contains(r.Path, "hostedzonesbyname") {
					t.Errorf("looked the zone up although its ID was given: %s", r)
				}
			}
		})
	}
}

func TestPublishSplitsValuesOver255Octets(t *testing.T) {
	long := value + "; x=" + strings.Repeat("a", 300)
	api := &fakeRoute53{}
	pub, _ := newTestPublisher(t, api, "")

	if err := pub.Publish(context.Background(), fqdn, long); err != nil {
		t.Fatal(err)
	}

	want := txtSet(60, `"`+long[:255]+`" "`+long[255:]+`"`)
	if got, _ := api.set(fqdn); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("set = %v, want %v", got, want)
	}
}

func TestUnpublishRemovesOnlyTheExactValue(t *testing.T) {
	tests := []struct {
		name       string
		existing   recordSet
		wantAction string
		wantSet    *recordSet
	}{
		{
			name:       "other values stay, longer value containing ours too",
			existing:   txtSet(300, `"`+otherCA+`"`, `"`+value+`"`, `"`+value+`; policy=wildcard"`),
			wantAction: "UPSERT",
			wantSet:    &recordSet{Name: fqdn, Type: "TXT", TTL: 300, ResourceRecords: []resourceRecord{{`"` + otherCA + `"`}, {`"` + value + `; policy=wildcard"`}}},
		},
		{
			name:       "the only value: the set is deleted",
			existing:   txtSet(300, `"`+value+`"`),
			wantAction: "DELETE",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &fakeRoute53{sets: []recordSet{tt.existing}}
			pub, _ := newTestPublisher(t, api, "")

			if err := pub.Unpublish(context.Background(), fqdn, value); err != nil {
				t.Fatal(err)
			}

			if len(api.changes) != 1 || api.changes[0].Action != tt.wantAction {
				t.Fatalf("changes = %v, want one %s", api.changes, tt.wantAction)
			}

			got, ok := api.set(fqdn)

			switch {
			case tt.wantSet == nil && ok:
				t.Errorf("set left = %v, want none", got)
			case tt.wantSet != nil && fmt.Sprint(got) != fmt.Sprint(*tt.wantSet):
				t.Errorf("set left = %v, want %v", got, *tt.wantSet)
			}
		})
	}
}

func TestUnpublishOfAnAbsentValueWritesNothing(t *testing.T) {
	api := &fakeRoute53{sets: []recordSet{txtSet(300, `"`+otherCA+`"`)}}
	pub, _ := newTestPublisher(t, api, "")

	if err := pub.Unpublish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	if len(api.changes) != 0 {
		t.Errorf("changes = %v, want none", api.changes)
	}
}

func TestAPIErrorsAreOneLineWithStatusAndWithoutSecret(t *testing.T) {
	tests := []struct {
		status int
		code   string
	}{
		{http.StatusForbidden, "AccessDenied"},
		{http.StatusBadRequest, "Throttling"},
		{http.StatusInternalServerError, "InternalFailure"},
	}

	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			api := &fakeRoute53{failStatus: tt.status, failCode: tt.code}
			pub, _ := newTestPublisher(t, api, "")

			for _, op := range []func(context.Context, string, string) error{pub.Publish, pub.Unpublish} {
				err := op(context.Background(), fqdn, value)
				adaptertest.AssertOneLine(t, err, "route53", fqdn, fmt.Sprintf("HTTP %d", tt.status), tt.code)
				adaptertest.AssertNoSecret(t, err, secret)
			}
		})
	}
}

func TestNewDNSProviderReadsLegoAndAWSEnvironment(t *testing.T) {
	api := &fakeRoute53{}
	srv, _ := adaptertest.NewServer(t, api)
	isolateAWS(t, srv.URL)

	t.Setenv(EnvAccessKeyID, keyID)
	t.Setenv(EnvSecretAccessKey, secret)
	t.Setenv(EnvRegion, "eu-west-1")
	t.Setenv(EnvHostedZoneID, zoneID)
	t.Setenv("AWS_ZONE", "example.com")
	t.Setenv("AWS_TTL", "120")

	pub, err := NewDNSProvider()
	if err != nil {
		t.Fatal(err)
	}

	if err := pub.Publish(context.Background(), fqdn, value); err != nil {
		t.Fatal(err)
	}

	if got, _ := api.set(fqdn); got.TTL != 120 {
		t.Errorf("set = %v, want TTL 120", got)
	}
}

func TestNewDNSProviderRefusesWhatItCannotHonour(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{name: "assume role", env: map[string]string{EnvAssumeRoleArn: "arn:aws:iam::1:role/dns"}, want: EnvAssumeRoleArn},
		{name: "private zone without its ID", env: map[string]string{EnvPrivateZone: "true"}, want: EnvHostedZoneID},
		{name: "session token alone", env: map[string]string{EnvSessionToken: "tok-SECRET"}, want: "session token"},
		// libdns/route53 would call log.Fatalf on first use.
		{name: "unknown profile", env: map[string]string{EnvProfile: "missing"}, want: "missing"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateAWS(t, "http://127.0.0.1:1")
			t.Setenv("AWS_ZONE", "example.com")

			for k, v := range tt.env {
				t.Setenv(k, v)
			}

			_, err := NewDNSProvider()
			adaptertest.AssertOneLine(t, err, "route53", tt.want)
			adaptertest.AssertNoSecret(t, err, "tok-SECRET")
		})
	}
}

func TestDescribeNamesTheAWSVariables(t *testing.T) {
	d := Describe()

	var names []string
	for _, e := range d.Env {
		names = append(names, e.Name)
	}

	for _, want := range []string{EnvAccessKeyID, EnvSecretAccessKey, EnvRegion, EnvHostedZoneID, "AWS_TTL", "AWS_ZONE"} {
		if !slices.Contains(names, want) {
			t.Errorf("Describe() lacks %s: %v", want, names)
		}
	}

	if d.Name != "route53" {
		t.Errorf("Name = %q", d.Name)
	}
}
