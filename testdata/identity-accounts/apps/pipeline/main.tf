# Deployed to the dev account: the role it names is dev's "deployer", which trusts Lambda only.
provider "aws" {
  region = "eu-west-1"
  assume_role {
    role_arn = "arn:aws:iam::222222222222:role/terraform"
  }
}

data "aws_caller_identity" "current" {}

resource "aws_codebuild_project" "deploy" {
  name         = "deploy"
  service_role = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/deployer"
  artifacts {
    type = "NO_ARTIFACTS"
  }
  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"
  }
  source {
    type = "NO_SOURCE"
  }
}
