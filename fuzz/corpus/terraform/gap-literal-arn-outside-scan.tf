# A literal role ARN that no role of the scan has: a stated coverage gap.
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = "arn:aws:iam::123456789012:role/service-role/elsewhere"
}
