# Two modules that call each other: a gap where the role is used and a `limit` error, never a hang.
module "a" {
  source = "./a"
}

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = module.a.role
}
