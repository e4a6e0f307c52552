# Two modules that call each other: reported as a coverage gap, never a hang.
module "a" {
  source = "./a"
}

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = module.a.role
}
