# A service principal with confused-deputy conditions: the account number in aws:SourceAccount and
# aws:SourceArn is a condition value, not a trusted principal, so not PR003.
resource "aws_iam_role" "ingest" {
  name = "ingest"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
      Condition = {
        StringEquals = { "aws:SourceAccount" = "123456789012" }
        ArnLike      = { "aws:SourceArn" = "arn:aws:lambda:eu-west-1:123456789012:function:ingest" }
      }
    }]
  })
}

resource "aws_lambda_function" "ingest" {
  function_name = "ingest"
  role          = aws_iam_role.ingest.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "ingest.zip"
}
