# A production stack checked out without `terraform init`: the registry and git modules are not in
# .terraform/modules, so what they create (here, IAM roles and their policies) cannot be checked.
# Each call gets a note at its source naming the module, even where nothing outside the module uses
# its outputs; a local module that is not in the repository, or has no .tf file, is noted the same way.

module "iam_deploy" {
  source  = "example-org/iam-deploy/aws"
  version = "~> 3.2"

  name = "prod-deploy"
}

module "pipeline" {
  source = "git::https://example.com/platform/terraform-pipeline.git?ref=v1.4.0"

  stage = "prod"
}

module "legacy" {
  source = "../../modules/legacy-roles"
}

# A local module that is there is read as usual.
module "app" {
  source = "../../modules/app"
}

# A directory without any .tf file (the module moved away; only its README is left).
module "iam_notes" {
  source = "../../modules/iam-notes"
}
