package netcup

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const password = "netcup-pw-SECRET-20"

// fakeNetcup serves the CCP API's login, logout, infoDnsRecords and
// updateDnsRecords for example.com over store; errors are HTTP 200 with
// status "error", as the API sends them.
func fakeNetcup(store *adaptertest.Store) http.Handler {
	const session = "sess-1"

	answer := func(w http.ResponseWriter, data any) {
		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"status": "success", "statuscode": 2000, "responsedata": data})
	}
	fail := func(w http.ResponseWriter, code int, msg string) {
		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"status": "error", "statuscode": code, "shortmessage": msg, "responsedata": ""})
	}

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Action string `json:"action"`
			Param  struct {
				CustomerNumber string `json:"customernumber"`
				APIKey         string `json:"apikey"`
				APIPassword    string `json:"apipassword"`
				SessionID      string `json:"apisessionid"`
				DomainName     string `json:"domainname"`
				RecordSet      struct {
					Records []record `json:"dnsrecords"`
				} `json:"dnsrecordset"`
			} `json:"param"`
		}

		p := &req.Param

		switch {
		case r.Method != http.MethodPost || r.URL.RawQuery != "JSON" || json.NewDecoder(r.Body).Decode(&req) != nil:
			fail(w, 4001, "bad request")
		case p.CustomerNumber != "12345" || p.APIKey != "key-1":
			fail(w, 4013, "Validation Error.")
		case req.Action == "login":
			if p.APIPassword != password {
				fail(w, 4013, "Validation Error.")

				return
			}

			answer(w, map[string]string{"apisessionid": session})
		case p.SessionID != session:
			fail(w, 4001, "The session id is not in a valid format.")
		case req.Action == "logout":
			answer(w, "")
		case p.DomainName != "example.com":
			fail(w, 5028, "Domain not found")
		case req.Action == "infoDnsRecords":
			list := []record{}
			for _, rec := range store.Find("", "") {
				list = append(list, record{ID: rec.ID, Hostname: adaptertest.Relative(rec.Name), Type: rec.Type, Destination: rec.Value})
			}

			answer(w, map[string]any{"dnsrecords": list})
		case req.Action == "updateDnsRecords":
			for _, rec := range p.RecordSet.Records {
				switch {
				case rec.DeleteRecord:
					if got, ok := store.Get(rec.ID); !ok || got.Value != rec.Destination {
						fail(w, 5030, "record not found")

						return
					}

					store.Delete(rec.ID)
				case rec.ID == "" && rec.Type == "TXT":
					store.Add(adaptertest.Absolute(rec.Hostname), "TXT", rec.Destination, 300)
				default:
					fail(w, 4001, "unexpected record")

					return
				}
			}

			answer(w, map[string]any{"dnsrecords": []record{}})
		default:
			fail(w, 4001, "unknown action")
		}
	})
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:  password,
		Handler: fakeNetcup,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{CustomerNumber: "12345", APIKey: "key-1", APIPassword: secret, BaseURL: baseURL + "/run/webservice/servers/endpoint.php?JSON"}
			cfg.Zone, cfg.HTTPTimeout = "example.com", timeout

			return NewDNSProviderConfig(cfg)
		},
		PublishRequests: []string{
			"POST /run/webservice/servers/endpoint.php", // login
			"POST /run/webservice/servers/endpoint.php", // updateDnsRecords
			"POST /run/webservice/servers/endpoint.php", // logout
		},
	}.Run(t)
}
