# Shards of one role that all trust Lambda: whichever shard an unknown index picks, the function
# gets a role that trusts Lambda only (only the statement ids differ), so the pass is checked and is
# fine.
variable "shard" {
  description = "the shard this stack serves, set per environment in the pipeline"
  type        = number
}

resource "aws_iam_role" "shard" {
  count = 3

  name = "shard-${count.index}"
  path = "/shards/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Shard${count.index}"
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_lambda_function" "shard" {
  function_name = "shard"
  role          = aws_iam_role.shard[var.shard].arn
  handler       = "main.handler"
  runtime       = "python3.12"
  filename      = "build/shard.zip"
}
