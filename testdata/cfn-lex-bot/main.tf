resource "aws_iam_role" "fulfilment" {
  name = "support-fulfilment"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_lexv2models_bot" "support" {
  name                        = "support"
  role_arn                    = aws_iam_role.fulfilment.arn
  idle_session_ttl_in_seconds = 300
  data_privacy {
    child_directed = false
  }
}
