# The role is defined in the scan, but its trust policy comes from a variable without a value: whom
# it trusts cannot be read. PR005 states the gap at the pass, not at the role.
variable "trust_policy" {
  type = string
}

resource "aws_iam_role" "worker" {
  name               = "worker"
  path               = "/app/"
  assume_role_policy = var.trust_policy
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = aws_iam_role.worker.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "worker.zip"
}
