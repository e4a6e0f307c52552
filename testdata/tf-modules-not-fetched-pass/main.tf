# The same kind of stack after `terraform init`: the registry module is in .terraform/modules (listed
# in modules.json), so it is read like a local module and there is nothing to note. Its role is
# passed to Lambda and trusts Lambda only.

module "iam_deploy" {
  source  = "example-org/iam-deploy/aws"
  version = "~> 3.2"

  name = "prod-deploy"
}

resource "aws_lambda_function" "deploy" {
  function_name = "deploy"
  role          = module.iam_deploy.role_arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "deploy.zip"
}
