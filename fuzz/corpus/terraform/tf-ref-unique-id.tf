# A role's unique_id (AROA...) used in a bucket policy's aws:userId condition is not a pass: the only
# pass is the Lambda function's, and the role trusts Lambda. No finding (not PR001, not PR004).
resource "aws_iam_role" "reader" {
  name = "reader"
  path = "/app/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_lambda_function" "reader" {
  function_name = "reader"
  role          = aws_iam_role.reader.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "reader.zip"
}

resource "aws_s3_bucket_policy" "reports" {
  bucket = "reports-123456789012"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::reports-123456789012/*"
      Condition = {
        StringNotLike = { "aws:userId" = ["${aws_iam_role.reader.unique_id}:*"] }
      }
    }]
  })
}
