package tencentcloud

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const secretKey = "tencent-key-SECRET-17"

// fakeDNSPod serves DNSPod API 3.0 actions for example.com over store; it
// checks the TC3-HMAC-SHA256 signature of each request and answers errors
// as the API does: HTTP 200 with Response.Error.
func fakeDNSPod(store *adaptertest.Store) http.Handler {
	answer := func(w http.ResponseWriter, resp map[string]any) {
		resp["RequestId"] = "req-1"
		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"Response": resp})
	}
	fail := func(w http.ResponseWriter, code string) {
		answer(w, map[string]any{"Error": map[string]string{"Code": code, "Message": code}})
	}

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts, _ := strconv.ParseInt(r.Header.Get("X-TC-Timestamp"), 10, 64)

		switch {
		case r.Method != http.MethodPost || r.URL.Path != "/" || r.Header.Get("X-TC-Version") != apiVersion:
			fail(w, "InvalidAction")

			return
		case r.Header.Get("Authorization") != Authorization("AKID-1", secretKey, r.Host, ts, body):
			fail(w, "AuthFailure.SignatureFailure")

			return
		}

		switch r.Header.Get("X-TC-Action") {
		case "DescribeRecordList":
			var req listRequest
			if json.Unmarshal(body, &req) != nil || req.Domain != "example.com" || req.RecordType != "TXT" {
				fail(w, "InvalidParameter")

				return
			}

			var list []map[string]any
			for _, rec := range store.Find(adaptertest.Absolute(req.Subdomain), "TXT") {
				list = append(list, map[string]any{"RecordId": adaptertest.IntID(rec.ID), "Name": req.Subdomain, "Type": "TXT", "Value": rec.Value, "TTL": rec.TTL})
			}

			if len(list) == 0 {
				fail(w, "ResourceNotFound.NoDataOfRecord")

				return
			}

			answer(w, map[string]any{"RecordCountInfo": map[string]int{"TotalCount": len(list)}, "RecordList": list})
		case "CreateRecord":
			var req createRequest
			if json.Unmarshal(body, &req) != nil || req.Domain != "example.com" || req.RecordType != "TXT" || req.RecordLine != defaultLine || req.TTL != 600 {
				fail(w, "InvalidParameter")

				return
			}

			answer(w, map[string]any{"RecordId": adaptertest.IntID(store.Add(adaptertest.Absolute(req.SubDomain), "TXT", req.Value, req.TTL))})
		case "DeleteRecord":
			var req deleteRequest
			if json.Unmarshal(body, &req) != nil || !store.Delete(strconv.FormatUint(req.RecordID, 10)) {
				fail(w, "InvalidParameter.RecordIdInvalid")

				return
			}

			answer(w, map[string]any{})
		default:
			fail(w, "InvalidAction")
		}
	})
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:  secretKey,
		Handler: fakeDNSPod,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{SecretID: "AKID-1", SecretKey: secret, BaseURL: baseURL}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout = "example.com", 600, timeout

			return NewDNSProviderConfig(cfg)
		},
		PublishRequests: []string{"POST /"},
	}.Run(t)
}
