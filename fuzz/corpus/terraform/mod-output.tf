# A module creates the role and outputs its ARN; the root hands it to Lambda.
module "roles" {
  source = "./roles"
}

resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = module.roles.task_role_arn
}
