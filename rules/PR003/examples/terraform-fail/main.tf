# A Lambda role whose trust policy also admits a whole account "so developers can debug": anyone
# there may assume it directly, bypassing PassRole. PR003 points at the account principal.
resource "aws_iam_role" "ingest" {
  name = "ingest"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Action    = "sts:AssumeRole"
        Principal = { Service = "lambda.amazonaws.com" }
      },
      {
        Effect = "Allow"
        Action = "sts:AssumeRole"
        Principal = {
          AWS = "arn:aws:iam::123456789012:root"
        }
      },
    ]
  })
}

resource "aws_lambda_function" "ingest" {
  function_name = "ingest"
  role          = aws_iam_role.ingest.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "ingest.zip"
}
