# A registry module fetched by `terraform init` and the plan made from this directory: the
# PassRole-on-everything grant two calls down is one finding, which also shows where the plan has it.
module "deployer" {
  source  = "example-org/deployer/aws"
  version = "2.0.0"
}
