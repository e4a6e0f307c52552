# No provider account here, but the ARN names the prod account: prod's "deployer" trusts CodeBuild
# only.
resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = "arn:aws:iam::111111111111:role/deployer"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "api.zip"
}
