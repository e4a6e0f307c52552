# A trust policy written as a plain quoted HCL string with escaped JSON, and the role passed to
# Lambda: the extra principal inside the string is found (PR002 on the string's line).
resource "aws_iam_role" "worker" {
  name               = "worker"
  path               = "/app/"
  assume_role_policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"sts:AssumeRole\", \"Principal\": {\"Service\": [\"lambda.amazonaws.com\", \"ec2.amazonaws.com\"]}}]}"
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = aws_iam_role.worker.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "worker.zip"
}
