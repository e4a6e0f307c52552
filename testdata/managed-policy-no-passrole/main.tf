# Developers get broad service access from AWS managed policies that grant no iam:PassRole:
# PowerUserAccess excludes iam:* with NotAction, and the service FullAccess policies below name no
# IAM action that passes a role. Their whole statements are recorded (for escalation paths), and
# none of them may give a PassRole finding.

data "aws_partition" "current" {}

resource "aws_iam_group" "developers" {
  name = "developers"
}

resource "aws_iam_group_policy_attachment" "developers_power_user" {
  group      = aws_iam_group.developers.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/PowerUserAccess"
}

resource "aws_iam_user" "builder" {
  name = "builder"
}

resource "aws_iam_user_policy_attachment" "builder_s3" {
  user       = aws_iam_user.builder.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
}

resource "aws_iam_role" "operator" {
  name = "operator"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
    }]
  })
  managed_policy_arns = [
    "arn:aws:iam::aws:policy/PowerUserAccess",
    "arn:aws:iam::aws:policy/AmazonEC2FullAccess",
    "arn:aws:iam::aws:policy/AWSCloudFormationFullAccess",
    "arn:aws:iam::aws:policy/AWSStepFunctionsFullAccess",
  ]
}

data "aws_iam_policy" "power_user" {
  arn = "arn:aws:iam::aws:policy/PowerUserAccess"
}

# A copy of PowerUserAccess's text grants what it grants: no PassRole.
resource "aws_iam_role_policy" "operator_power_copy" {
  role   = aws_iam_role.operator.id
  policy = data.aws_iam_policy.power_user.policy
}
