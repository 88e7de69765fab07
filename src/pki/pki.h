// The cluster's certificates: a self-generated CA, the API server's serving certificate, and
// client certificates (CN = user, O = groups), as PEM strings; plus kubeconfig files.
#pragma once
#include <string>
#include <vector>

namespace skiff::pki {

struct CertKey {
  std::string cert_pem;
  std::string key_pem;
};

CertKey make_ca(const std::string& common_name, int days = 3650);
// SANs: DNS names and IP addresses (v4 or v6, as text).
CertKey make_serving_cert(const CertKey& ca, const std::string& common_name,
                          const std::vector<std::string>& dns_names,
                          const std::vector<std::string>& ip_addresses, int days = 365);
CertKey make_client_cert(const CertKey& ca, const std::string& common_name,
                         const std::vector<std::string>& organizations, int days = 365);

// The files of a server's data dir: DIR/pki/{ca,apiserver,admin}.{crt,key}. Existing ones are
// kept (a restart keeps the CA and credentials); missing ones are made. The serving certificate is
// remade when it lacks one of the requested SANs or is about to expire.
struct ServerPki {
  CertKey ca;
  CertKey serving;
  CertKey admin;  // CN=kubernetes-admin, O=system:masters
  // The API server's client certificate towards kubelets (logs, exec, port-forward proxying):
  // CN=kube-apiserver-kubelet-client, O=system:masters, in apiserver-kubelet-client.{crt,key}.
  CertKey kubelet_client;
};
ServerPki load_or_create_server_pki(const std::string& data_dir,
                                    const std::vector<std::string>& dns_names,
                                    const std::vector<std::string>& ip_addresses);

// Writes a kubeconfig (mode 0600) with embedded CA and client credentials.
void write_kubeconfig(const std::string& path, const std::string& server_url,
                      const std::string& ca_pem, const CertKey& client,
                      const std::string& user_name, const std::string& cluster_name = "skiff");

// "sha256:<hex>" of the certificate's SubjectPublicKeyInfo (kubeadm's CA pin).
std::string spki_pin(const std::string& cert_pem);

// The host's non-loopback IPv4/IPv6 addresses (for SANs and the kubeconfig's server URL).
std::vector<std::string> host_addresses();

}  // namespace skiff::pki
