# "Everything but S3" with NotAction includes iam:PassRole: on "*" that is PassRole on every
# role (PR010 at the Resource), beside every other non-S3 action (PR015 at the NotAction).
resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      NotAction = ["s3:*"]
      Resource  = "*"
    }]
  })
}
