# A registry module fetched by `terraform init` grants iam:PassRole on every role, two calls down:
# the finding lies in .terraform/modules, which a repository does not hold. The reports a code host
# reads (SARIF, GitLab, JUnit) put it at this call; the others at the module's own file.
module "deployer" {
  source  = "example-org/deployer/aws"
  version = "2.0.0"
}
