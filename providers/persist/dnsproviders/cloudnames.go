package dnsproviders

// cloudNames are the names (and aliases) of the publishers in cloud.go.
// The light build leaves cloud.go out and registers each of these names as
// refused, with an error naming the full build (cloud_light.go), so that a
// light binary never calls a name of the full one unknown.
// TestCloudNamesAreTheCloudPublishers keeps the list equal to cloud().
var cloudNames = []struct {
	name    string
	aliases []string
}{
	{"alidns", nil},
	{"azuredns", []string{"azure"}},
	{"bunny", nil},
	{"civo", nil},
	{"cloudflare", nil},
	{"cloudns", nil},
	{"desec", nil},
	{"digitalocean", nil},
	{"dnsimple", nil},
	{"dynu", nil},
	{"gandiv5", nil},
	{"gcloud", nil},
	{"gcore", nil},
	{"godaddy", nil},
	{"hetzner", nil},
	{"hostingde", nil},
	{"huaweicloud", nil},
	{"infomaniak", nil},
	{"inwx", nil},
	{"ionos", nil},
	{"linode", nil},
	{"luadns", nil},
	{"mythicbeasts", nil},
	{"namesilo", nil},
	{"netcup", nil},
	{"njalla", nil},
	{"ns1", nil},
	{"ovh", nil},
	{"pdns", []string{"powerdns"}},
	{"porkbun", nil},
	{"regru", nil},
	{"route53", nil},
	{"scaleway", nil},
	{"tencentcloud", nil},
	{"vultr", nil},
}
