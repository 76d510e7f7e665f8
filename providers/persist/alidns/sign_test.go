package alidns

import (
	"net/http"
	"net/url"
	"testing"
)

// TestSignMatchesTheAPIDocumentationExample checks Sign against the
// example of Alibaba Cloud DNS's signature documentation (AccessKey testid
// / testsecret, DescribeDomainRecords).
func TestSignMatchesTheAPIDocumentationExample(t *testing.T) {
	params := url.Values{
		"Format": {"XML"}, "AccessKeyId": {"testid"}, "Action": {"DescribeDomainRecords"},
		"SignatureMethod": {"HMAC-SHA1"}, "DomainName": {"example.com"},
		"SignatureNonce": {"f59ed6a9-83fc-473b-9cc6-99c95df3856e"}, "SignatureVersion": {"1.0"},
		"Version": {"2015-01-09"}, "Timestamp": {"2016-03-24T16:41:54Z"},
	}

	if got, want := Sign(http.MethodGet, params, "testsecret"), "uRpHwaSEt3J+6KQD//svCh/x+pI="; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}
