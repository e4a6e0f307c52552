# A registry module that `terraform init` has not fetched: the role is a stated coverage gap.
module "lambda_role" {
  source  = "example-org/lambda-role/aws"
  version = "1.0.0"
}

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = module.lambda_role.arn
}
