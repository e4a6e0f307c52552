# A registry module already fetched by `terraform init`, found through .terraform/modules/modules.json.
module "lambda_role" {
  source  = "example-org/lambda-role/aws"
  version = "1.0.0"
}

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = module.lambda_role.arn
}
