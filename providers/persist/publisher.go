package persist

import "context"

// Publisher creates dns-persist-01 records. It is called at most once per
// (record name, CA, account) when no valid record exists yet.
//
// fqdn is the record name with a trailing dot ("_validation-persist.example.com.");
// value is the whole record value, not yet split into 255-octet
// character-strings: the publisher splits it. Publish adds value to the TXT
// set at fqdn and leaves every other value there untouched (other CAs' and
// other accounts' records).
type Publisher interface {
	Publish(ctx context.Context, fqdn, value string) error
}

// Unpublisher is implemented by publishers that can also delete a record.
// Unpublish removes exactly value from the TXT set at fqdn and nothing else.
type Unpublisher interface {
	Unpublish(ctx context.Context, fqdn, value string) error
}
