package regru

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const password = "regru-pw-SECRET-27"

// fakeRegRu serves zone/add_txt and zone/remove_record for example.com over
// store; errors are HTTP 200 with result "error", as the API sends them.
func fakeRegRu(store *adaptertest.Store) http.Handler {
	answer := func(w http.ResponseWriter, result, code string) {
		d := map[string]string{"dname": "example.com", "result": result}
		if code != "" {
			d["error_code"], d["error_text"] = code, code
		}

		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"result": "success", "answer": map[string]any{"domains": []any{d}}})
	}

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Domains    []domain `json:"domains"`
			SubDomain  string   `json:"subdomain"`
			Text       string   `json:"text"`
			Content    string   `json:"content"`
			RecordType string   `json:"record_type"`
			Output     string   `json:"output_content_type"`
		}

		switch {
		case r.Method != http.MethodPost || r.ParseForm() != nil || r.URL.RawQuery != "":
			adaptertest.WriteJSON(w, http.StatusOK, map[string]string{"result": "error", "error_code": "INVALID_REQUEST"})
		case r.PostForm.Get("username") != "me" || r.PostForm.Get("password") != password:
			adaptertest.WriteJSON(w, http.StatusOK, map[string]string{"result": "error", "error_code": "PASSWORD_AUTH_FAILED", "error_text": "Username/password Incorrect"})
		case r.PostForm.Get("input_format") != "json" || json.Unmarshal([]byte(r.PostForm.Get("input_data")), &in) != nil ||
			len(in.Domains) != 1 || in.Domains[0].DName != "example.com" || in.Output != "plain":
			adaptertest.WriteJSON(w, http.StatusOK, map[string]string{"result": "error", "error_code": "PARAMETER_MISSING"})
		case r.URL.Path == "/zone/add_txt" && in.Text != "":
			store.Add(adaptertest.Absolute(in.SubDomain), "TXT", in.Text, 3600)
			answer(w, "success", "")
		case r.URL.Path == "/zone/remove_record" && in.RecordType == "TXT" && in.Content != "":
			for _, rec := range store.Find(adaptertest.Absolute(in.SubDomain), "TXT") {
				if rec.Value == in.Content {
					store.Delete(rec.ID)
				}
			}

			answer(w, "success", "")
		default:
			answer(w, "error", "INVALID_ACTION")
		}
	})
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:  password,
		Handler: fakeRegRu,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{Username: "me", Password: secret, BaseURL: baseURL}
			cfg.Zone, cfg.HTTPTimeout = "example.com", timeout

			return NewDNSProviderConfig(cfg)
		},
		PublishRequests: []string{"POST /zone/add_txt"},
	}.Run(t)
}

func TestAClientCertificateThatDoesNotParseIsRefusedWithoutQuotingIt(t *testing.T) {
	cfg := &Config{Username: "me", Password: password, TLSCert: "not a cert", TLSKey: "KEY-SECRET-28"}
	cfg.Zone = "example.com"

	_, err := NewDNSProviderConfig(cfg)
	adaptertest.AssertOneLine(t, err, EnvTLSCert)
	adaptertest.AssertNoSecret(t, err, "KEY-SECRET-28")
}
