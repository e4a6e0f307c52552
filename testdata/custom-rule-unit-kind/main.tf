# A Lambda function passing a role made outside this configuration: the custom rule ORG002
# (tests/custom-rules-unit-fields) filters units by kind and must see it.
resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = "arn:aws:iam::123456789012:role/made-elsewhere"
}
